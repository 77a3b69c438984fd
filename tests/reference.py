"""Slow, obviously correct twins of the Numba kernels (pure Python / numpy).

Kernels are compared with these at small sizes: exactly where the arithmetic
is integer, at a stated tolerance otherwise.
"""

from __future__ import annotations

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


class SplitMix64:
    """SplitMix64 with Python integers (Steele, Lea & Flood 2014)."""

    def __init__(self, state: int):
        self.state = int(state) & MASK64

    def next_u64(self) -> int:
        self.state = (self.state + GAMMA) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def uniform(self) -> float:
        return (self.next_u64() >> 11) / 2.0**53

    def below(self, n: int) -> int:
        return self.next_u64() % n

    def shuffle(self, items: list) -> list:
        items = list(items)
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items


# --- AMICL (hopfield.kernels.amicl) ---------------------------------------------------------------

def _normals_ref(rng: SplitMix64, n: int, scale: float) -> list:
    """Marsaglia's polar method as in hopfield.kernels.amicl.fill_normal."""
    import math

    out = []
    while len(out) < n:
        while True:
            u = (rng.next_u64() >> 11) * (2.0 / 2.0**53) - 1.0
            v = (rng.next_u64() >> 11) * (2.0 / 2.0**53) - 1.0
            s = u * u + v * v
            if 0.0 < s < 1.0:
                break
        f = math.sqrt(-2.0 * math.log(s) / s) * scale
        out.append(u * f)
        if len(out) < n:
            out.append(v * f)
    return out


def amicl_sequence_ref(state: int, D: int, K: int, T: int, eps: float):
    """One AMICL trial drawn with Python integers and lists: (tokens (T, D), classes (T//2,), noise (D,))."""
    import math

    import numpy as np

    rng = SplitMix64(state)
    C = T // 2 - 1
    scale = 1.0 / math.sqrt(D)
    classes = [rng.below(K) for _ in range(C)]
    jq = rng.below(C)
    classes.append(classes[jq])
    bank = {}
    for c in classes[:C]:
        if c not in bank:
            mu = _normals_ref(rng, D, scale)
            lab = _normals_ref(rng, D, scale)
            bank[c] = (mu, lab)
    tokens = np.zeros((T, D))
    for j, c in enumerate(classes):
        eta = _normals_ref(rng, D, scale)
        mu, lab = bank[c]
        tokens[2 * j] = [(m + eps * e) / math.sqrt(1.0 + eps * eps) for m, e in zip(mu, eta)]
        if j < C:
            tokens[2 * j + 1] = lab
    noise = np.array(_normals_ref(rng, D, scale))
    return tokens, np.array(classes), noise


def amicl_scores_ref(tokens, noise, a: float, similarity: str):
    """Query-key similarities by the definition: h_t = (a z_{t-1} + z_t)/(a+1), z_{-1} = 0, own key = noise."""
    import numpy as np

    T = tokens.shape[0]
    prev = np.vstack([np.zeros((1, tokens.shape[1])), tokens[:-1]])
    h = (a * prev + tokens) / (a + 1.0)
    q = h[T - 1]
    keys = h.copy()
    keys[T - 1] = noise
    if similarity == "dot":
        return keys @ q
    if similarity == "pearson":
        return np.array([np.corrcoef(q, k)[0, 1] for k in keys])
    if similarity == "euclidean":
        return -np.linalg.norm(keys - q, axis=1)
    return -np.abs(keys - q).sum(axis=1)


def amicl_readout_ref(tokens, classes, scores, readout: str, beta: float):
    """(correct, weight on the query class's labels) by the definition of the readout."""
    import numpy as np

    T = tokens.shape[0]
    qc = classes[-1]
    is_answer = np.array([t % 2 == 1 and t < T - 1 and classes[t // 2] == qc for t in range(T)])
    if readout == "argmax":
        t = int(np.argmax(scores))
        return bool(is_answer[t]), float(is_answer[t])
    p = np.exp(beta * (scores - scores.max()))
    p /= p.sum()
    o = p @ tokens
    t = int(np.argmin(((tokens[:-1] - o) ** 2).sum(axis=1)))
    return bool(is_answer[t]), float(p[is_answer].sum())
