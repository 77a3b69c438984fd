"""Slow, obviously correct numpy twin of the language model of simulations.train.lm (one sequence, float64)."""

import numpy as np


def _f64(tree):
    if isinstance(tree, dict):
        return {k: _f64(v) for k, v in tree.items()}
    return np.asarray(tree, np.float64)


def layer_norm(x, g, b):
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + 1e-5) * g + b


def gelu(x):
    # jax.nn.gelu's default is the tanh approximation
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def attention(q, k, v, heads):
    """Position t of each head attends to 0..t, one position at a time."""
    T, d = q.shape
    dh = d // heads
    out = np.zeros_like(v)
    for h in range(heads):
        sl = slice(h * dh, (h + 1) * dh)
        for t in range(T):
            s = np.array([q[t, sl] @ k[u, sl] for u in range(t + 1)]) / np.sqrt(dh)
            w = np.exp(s - s.max())
            w /= w.sum()
            out[t, sl] = sum(w[u] * v[u, sl] for u in range(t + 1))
    return out


def logits_one(params, tokens, coef, heads, stream_from="previous"):
    """Next-token logits (T, 256) of one byte sequence ``tokens`` (T,)."""
    P = _f64(params)
    T = len(tokens)
    x = P["tok"][np.asarray(tokens)] + P["pos"][:T]
    L = P["blocks"]["ln1"]["g"].shape[0]
    first = prev = None
    for layer in range(L):
        blk = {k: {n: w[layer] for n, w in v.items()} for k, v in P["blocks"].items()}
        h = layer_norm(x, blk["ln1"]["g"], blk["ln1"]["b"])
        raw = [h @ blk["attn"][m] for m in ("W_Q", "W_K", "W_V")]
        src = prev if stream_from == "previous" else first
        q, k, v = raw if src is None else [r + c * s for r, c, s in zip(raw, coef, src)]
        x = x + attention(q, k, v, heads) @ blk["attn"]["W_O"]
        h = layer_norm(x, blk["ln2"]["g"], blk["ln2"]["b"])
        x = x + gelu(h @ blk["mlp"]["W_1"] + blk["mlp"]["b_1"]) @ blk["mlp"]["W_2"] + blk["mlp"]["b_2"]
        prev = raw
        if first is None:
            first = raw
    return layer_norm(x, P["ln_f"]["g"], P["ln_f"]["b"]) @ P["W_U"]
