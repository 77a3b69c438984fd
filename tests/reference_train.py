"""Slow, obviously correct numpy twins of the JAX training model (simulations.train.model)."""

import numpy as np


def softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def stream_one(params, z, coef):
    """Residual stream after layer 2 of one sequence z (T, D), position by position, float64."""
    P = {k: {n: np.asarray(w, np.float64) for n, w in v.items()} for k, v in params.items() if k != "mlp"}
    T = z.shape[0]
    x0 = np.concatenate([z, np.eye(T)], axis=1)
    d = x0.shape[1]
    a1, a2 = P["attn1"], P["attn2"]
    q1, k1, v1 = x0 @ a1["W_Q"], x0 @ a1["W_K"], x0 @ a1["W_V"]
    x1 = x0.copy()
    for t in range(T):  # position t attends to 0..t only
        w = softmax(np.array([q1[t] @ k1[s] for s in range(t + 1)]) / np.sqrt(d))
        x1[t] += sum(w[s] * v1[s] for s in range(t + 1))
    q2 = x1 @ a2["W_Q"] + coef[0] * q1
    k2 = x1 @ a2["W_K"] + coef[1] * k1
    v2 = x1 @ a2["W_V"] + coef[2] * v1
    x2 = x1.copy()
    for t in range(T):
        w = softmax(np.array([q2[t] @ k2[s] for s in range(t + 1)]) / np.sqrt(d))
        x2[t] += sum(w[s] * v2[s] for s in range(t + 1))
    return x2


def logits_one(params, z, coef):
    h = stream_one(params, z, coef)[-1]
    mlp = [{k: np.asarray(v, np.float64) for k, v in layer.items()} for layer in params["mlp"]]
    for layer in mlp[:-1]:
        h = np.maximum(h @ layer["W"] + layer["b"], 0.0)
    return h @ mlp[-1]["W"] + mlp[-1]["b"]
