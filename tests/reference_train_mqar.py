"""Plain NumPy twins of the MQAR models of ``simulations.train.mqar_model`` (float64, loops over time).

Every recurrent mixer is written as its recurrence (the JAX code uses the parallel form for
linear and decayed attention), attention as an explicit loop over the visible positions.
"""

import numpy as np

EPS = 1e-6


def norm(x):
    m = x.mean(-1, keepdims=True)
    return (x - m) / np.sqrt(((x - m) ** 2).mean(-1, keepdims=True) + EPS)


def unit(x):
    return x / np.sqrt((x * x).sum(-1, keepdims=True) + EPS)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def conv(u, w):
    L, K = u.shape[0], w.shape[0]
    y = np.zeros_like(u)
    for t in range(L):
        for j in range(K):
            if t - j >= 0:
                y[t] += w[j] * u[t - j]
    return y


def mix(p, u, mixer, beta_fixed=None, lookahead=False):
    """One mixer on (L, d); ``lookahead`` is a mutant that writes token t + 1 before reading at t."""
    q, k, v = u @ p["W_Q"], u @ p["W_K"], u @ p["W_V"]
    L, d = u.shape
    out = np.zeros((L, v.shape[1]))
    if mixer == "attention":
        for t in range(L):
            s = np.array([q[t] @ k[r] / np.sqrt(d) for r in range(t + 1)])
            a = np.exp(s - s.max())
            out[t] = (a / a.sum()) @ v[: t + 1]
        return out
    q, k = unit(q), unit(k)
    beta = (np.full(L, beta_fixed) if beta_fixed is not None else sigmoid(u @ p["w_beta"] + p["b_beta"])) \
        if mixer in ("delta", "gated_delta") else np.ones(L)
    alpha = sigmoid(u @ p["w_alpha"] + p["b_alpha"]) if mixer == "gated_delta" else np.ones(L)
    gamma = sigmoid(p["decay"]) if mixer == "decay" else 1.0
    S = np.zeros((v.shape[1], k.shape[1]))
    for t in range(L):
        s = min(t + 1, L - 1) if lookahead else t
        if mixer in ("linear", "decay"):
            S = gamma * S + np.outer(v[s], k[s])
        else:
            S = alpha[s] * (S - beta[s] * np.outer(S @ k[s], k[s])) + beta[s] * np.outer(v[s], k[s])
        out[t] = S @ q[t]
    return out


def gelu(x):  # tanh approximation, as jax.nn.gelu
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def hidden(params, tokens, mixer, conv_on=True, mlp=False, beta_fixed=None, lookahead=False):
    x = params["embed"][tokens] + params["pos"][: len(tokens)]
    for p in params["layers"]:
        u = norm(x)
        if conv_on:
            u = conv(u, p["conv"])
        x = x + mix(p, u, mixer, beta_fixed, lookahead) @ p["W_O"]
        if mlp:
            x = x + gelu(norm(x) @ p["W_1"]) @ p["W_2"]
    return norm(x)
