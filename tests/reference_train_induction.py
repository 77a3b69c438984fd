"""Slow, obviously correct numpy twin of the trained induction model (simulations.train.induction_model)."""

import numpy as np


def softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def forward_one(params, fz, z):
    """Attention maps (T, T) of both layers and logits (T, V) of one token sequence z (T,), position by position."""
    p = {k: np.asarray(v, np.float64) for k, v in params.items()}
    f = {k: np.asarray(v, np.float64) for k, v in fz.items()}
    T = len(z)
    x = [f["w_E"][z[t]] + f["P"][t] for t in range(T)]
    A1, A2 = np.zeros((T, T)), np.zeros((T, T))
    h1 = []
    for t in range(T):  # position t attends to 0..t only
        A1[t, :t + 1] = softmax(np.array([x[t] @ p["W_K1"] @ x[s] for s in range(t + 1)]))
        h1.append(x[t] + sum(A1[t, s] * (f["W_OV1"] @ x[s]) for s in range(t + 1)))
    logits = np.zeros((T, f["w_E"].shape[0]))
    for t in range(T):
        A2[t, :t + 1] = softmax(np.array([h1[t] @ p["W_K2"] @ h1[s] for s in range(t + 1)]))
        h2 = h1[t] + sum(A2[t, s] * (p["W_O2"] @ f["W_V2"] @ h1[s]) for s in range(t + 1))
        if "W_F" in p:
            h2 = h2 + p["W_F"] @ h1[t]
        logits[t] = f["w_U"] @ h2
    return A1, A2, logits


def closed_form_logits(beta2, beta_O, gamma, c, cbar, n_q, t, ell):
    """Wang & Sato-style closed form, written out: beta_O (e^beta2 c + cbar)/(e^beta2 n_q + t - n_q) + gamma ell."""
    e = np.exp(beta2)
    return beta_O * (e * c + cbar) / (e * n_q + t - n_q) + gamma * ell
