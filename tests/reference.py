"""Slow, obviously correct twins of the Numba kernels (pure Python / numpy).

Kernels are compared with these at small sizes: exactly where the arithmetic
is integer, at a stated tolerance otherwise.
"""

from __future__ import annotations

import math

import numpy as np

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


# --- classical Hopfield network (hopfield.classical, hopfield.kernels.classical) ---------------



def hebbian_J(patterns, keep_diagonal=False):
    """N W for the Hebbian rule as a list of lists of Python ints."""
    P, N = len(patterns), len(patterns[0])
    J = [[sum(int(patterns[m][i]) * int(patterns[m][j]) for m in range(P)) for j in range(N)] for i in range(N)]
    if not keep_diagonal:
        for i in range(N):
            J[i][i] = 0
    return J


def storkey_W(patterns):
    """Storkey (1997) rule, element by element, diagonal as the formula leaves it."""
    P, N = len(patterns), len(patterns[0])
    w = [[0.0] * N for _ in range(N)]
    for m in range(P):
        x = [float(v) for v in patterns[m]]
        # h[i][j] = sum_{k != i, j} w_ik x_k with the weights before this pattern
        h = [[sum(w[i][k] * x[k] for k in range(N) if k != i and k != j) for j in range(N)] for i in range(N)]
        w = [[w[i][j] + (x[i] * x[j] - x[i] * h[j][i] - h[i][j] * x[j]) / N for j in range(N)] for i in range(N)]
    return w


def _field(W, s, i):
    return sum(W[i][j] * s[j] for j in range(len(s)))


def _energy2(W, s):
    """2 E = -s^T W s, recomputed from scratch."""
    N = len(s)
    return -sum(W[i][j] * s[i] * s[j] for i in range(N) for j in range(N))


def _decide(h, si, hot, T, scale, rng):
    if hot:
        x = 2.0 * (h * scale) / T
        if x >= 0.0:
            p = 1.0 / (1.0 + math.exp(-x))
        else:
            ex = math.exp(x)
            p = ex / (1.0 + ex)
        return 1 if rng.uniform() < p else -1
    if h > 0:
        return 1
    if h < 0:
        return -1
    return si


def classical_run(W, s0, state, schedule="async", T=0.0, max_sweeps=100, sequential=False, scale=1.0, eden=2.0):
    """One trial of classical Hopfield dynamics, fields and energies recomputed from W each time.

    ``W``: list of lists (Python ints for N W with ``scale = 1/N``, ``eden = 2N``, or floats with
    ``scale = 1``, ``eden = 2``). ``state``: the trial's SplitMix64 start word. Returns
    (final state list, converged, sweeps, cycled, energy trace list).
    """
    rng = SplitMix64(state)
    s = [int(v) for v in s0]
    N = len(s)
    trace = [_energy2(W, s) / eden]
    hot = schedule == "glauber" and T > 0.0
    converged = cycled = False
    sweeps = 0
    prev = None
    perm = list(range(N))
    for sweep in range(max_sweeps):
        sweeps = sweep + 1
        if schedule == "sync":
            d = [_decide(_field(W, s, i), s[i], False, T, scale, rng) for i in range(N)]
            if d == s:
                converged = True
                trace.append(_energy2(W, s) / eden)
                break
            back = prev is not None and d == prev
            prev, s = s, d
            trace.append(_energy2(W, s) / eden)
            if back:
                cycled = True
                break
        else:
            if not sequential:
                perm = rng.shuffle(perm)
            changed = 0
            for i in perm:
                new = _decide(_field(W, s, i), s[i], hot, T, scale, rng)
                if new != s[i]:
                    s[i] = new
                    changed += 1
            trace.append(_energy2(W, s) / eden)
            converged = changed == 0
            if converged and not hot:
                break
    return s, converged, sweeps, cycled, trace


# --------------------------------------------------------------------------
# Dense associative memory (Krotov & Hopfield 2016, eq. 2-4), from the definition.


def dense_F(F: str, n: int):
    """The interaction function as a Python callable (ints stay exact)."""
    if F == "poly":
        return lambda x: x**n
    if F == "rectified":
        return lambda x: max(x, 0) ** n
    if F == "exp":
        return math.exp
    raise ValueError(F)


def dense_field_reference(xi, s, i, F: str, n: int):
    """Bracket of eq. 4, sum_mu F(xi_i^mu + x_mu) - F(-xi_i^mu + x_mu), recomputed.

    Python ints for polynomial F (exact for any n); for exp the float terms are
    summed with ``math.fsum`` (correctly rounded), so exactly cancelling terms
    give exactly 0.
    """
    f = dense_F(F, n)
    N = len(s)
    terms = []
    for row in xi:
        x = sum(row[j] * s[j] for j in range(N) if j != i)
        terms.append(f(row[i] + x) - f(-row[i] + x))
    return math.fsum(terms) if F == "exp" else sum(terms)


def dense_energy_reference(xi, s, F: str, n: int) -> float:
    """-sum_mu F(xi^mu . s); for exp the reported form -log sum_mu exp(xi^mu . s)."""
    a = [sum(r * v for r, v in zip(row, s)) for row in xi]
    if F == "exp":
        amax = max(a)
        return -(amax + math.log(math.fsum(math.exp(v - amax) for v in a)))
    f = dense_F(F, n)
    return float(-sum(f(v) for v in a))


def dense_run_reference(patterns, cue, F, n, schedule, max_sweeps, order, rng_state):
    """One trial of the dense dynamics, every field recomputed from eq. 4.

    Draws one shuffle per async sweep (``order="random"``) from
    ``SplitMix64(rng_state)``, like the kernel. Returns a dict with ``state``,
    ``converged``, ``sweeps``, ``cycled``, ``energy`` and ``trace`` (energy
    after each sweep, index 0 = the cue).
    """
    xi = [[int(v) for v in row] for row in patterns]
    s = [int(v) for v in cue]
    N = len(s)
    rng = SplitMix64(rng_state)
    perm = list(range(N))
    trace = [dense_energy_reference(xi, s, F, n)]
    converged = cycled = False
    sweeps = 0
    prev = None
    for sweep in range(max_sweeps):
        sweeps = sweep + 1
        if schedule == "async":
            if order == "random":
                perm = rng.shuffle(perm)
            changed = 0
            for i in perm:
                h = dense_field_reference(xi, s, i, F, n)
                new = s[i] if h == 0 else (1 if h > 0 else -1)
                if new != s[i]:
                    s[i] = new
                    changed += 1
            trace.append(dense_energy_reference(xi, s, F, n))
            if changed == 0:
                converged = True
                break
        else:
            new = []
            for i in range(N):
                h = dense_field_reference(xi, s, i, F, n)
                new.append(s[i] if h == 0 else (1 if h > 0 else -1))
            if new == s:
                converged = True
                trace.append(trace[-1])
                break
            back = prev is not None and new == prev
            prev, s = s, new
            trace.append(dense_energy_reference(xi, s, F, n))
            if back:
                cycled = True
                break
    return {
        "state": s,
        "converged": converged,
        "sweeps": sweeps,
        "cycled": cycled,
        "energy": trace[-1],
        "trace": trace,
    }


# --------------------------------------------------------------------------
# Modern Hopfield network (Ramsauer et al. 2021), element by element.


def modern_update_reference(X, beta, xi):
    """xi_new = sum_i p_i x_i, p_i = exp(beta x_i.xi) / sum_j exp(beta x_j.xi), loops + fsum."""
    X = [[float(v) for v in row] for row in X]
    xi = [float(v) for v in xi]
    z = [beta * math.fsum(a * b for a, b in zip(row, xi)) for row in X]
    zmax = max(z)
    w = [math.exp(v - zmax) for v in z]
    total = math.fsum(w)
    return [math.fsum(w[i] * X[i][k] for i in range(len(X))) / total for k in range(len(xi))]


def modern_energy_reference(X, beta, xi):
    """-beta^-1 log sum_i exp(beta x_i.xi) + xi.xi/2 + beta^-1 log N + M^2/2."""
    X = [[float(v) for v in row] for row in X]
    xi = [float(v) for v in xi]
    z = [beta * math.fsum(a * b for a, b in zip(row, xi)) for row in X]
    zmax = max(z)
    lse = (zmax + math.log(math.fsum(math.exp(v - zmax) for v in z))) / beta
    M = max(math.sqrt(math.fsum(v * v for v in row)) for row in X)
    return -lse + 0.5 * math.fsum(v * v for v in xi) + math.log(len(X)) / beta + 0.5 * M * M


# --- AMICL (hopfield.kernels.amicl) ---------------------------------------------------------------

def _normals_ref(rng: SplitMix64, n: int, scale: float) -> list:
    """Marsaglia's polar method as in hopfield.kernels.amicl.fill_normal."""
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
