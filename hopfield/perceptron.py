"""Perceptron learning of couplings with a stability margin (Gardner's capacity problem).

:func:`learn` finds couplings ``J`` (for one neuron, or one row of a network)
such that every pattern has stability ``Delta_mu = y_mu J . xi^mu / |J| >= kappa``,
by MinOver (Krauth & Mezard 1987), which converges to the couplings of optimal
stability. Gardner (1988) showed that such couplings exist, for random
patterns and ``N -> oo``, up to the load ``alpha_c(kappa)`` of
``theory.gardner.alpha_c`` (2 at ``kappa = 0``); :func:`capacity_trials` measures
the fraction of random problems solved at a given load.

A Hopfield network with perceptron-learned couplings learns each row
``J_i.`` separately, with inputs ``xi_j^mu`` (``j != i``) and targets
``xi_i^mu``; each row is one such problem, so the network stores all patterns
with stability ``kappa`` when every row does.

References
----------
E. Gardner, "The space of interactions in neural network models",
J. Phys. A 21, 257-270 (1988).
W. Krauth, M. Mezard, "Learning algorithms with optimal stability in neural
networks", J. Phys. A 20, L745-L752 (1987).
T. M. Cover, "Geometrical and statistical properties of systems of linear
inequalities with applications in pattern recognition", IEEE Trans. Electron.
Comput. EC-14, 326-334 (1965).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hopfield._validate import as_float, as_int, as_pm1, as_seed, check_memory
from hopfield.kernels import perceptron as _k

__all__ = ["PerceptronResult", "learn", "capacity_trials"]


@dataclass(frozen=True)
class PerceptronResult:
    """Outcome of :func:`learn` for a batch of ``B`` problems.

    Attributes
    ----------
    J : ndarray of shape (B, N), int64
        Couplings ``sum_mu c_mu y_mu xi^mu`` (unnormalised).
    counts : ndarray of shape (B, P), int64
        Updates per pattern (the embedding strengths ``c_mu``).
    converged : ndarray of shape (B,), bool
        Every stability reached ``kappa``.
    updates : ndarray of shape (B,), int64
    stability : ndarray of shape (B,), float64
        ``min_mu y_mu J . xi^mu / |J|`` at the end (-inf when ``J = 0``).
    """

    J: np.ndarray
    counts: np.ndarray
    converged: np.ndarray
    updates: np.ndarray
    stability: np.ndarray


def learn(patterns: npt.ArrayLike, targets: npt.ArrayLike, kappa: float = 0.0, max_updates: int = 100_000) -> PerceptronResult:
    """Learn couplings with stability ``kappa`` for one problem or a batch (MinOver).

    Parameters
    ----------
    patterns : array_like of shape (P, N) or (B, P, N), entries in {-1, +1}
    targets : array_like of shape (P,) or (B, P), entries in {-1, +1}
    kappa : float
        Required stability, >= 0.
    max_updates : int
        Update budget per problem (>= 1).

    Returns
    -------
    PerceptronResult
        Always batched (``B = 1`` for one problem).

    Examples
    --------
    >>> import numpy as np
    >>> from hopfield.patterns import random_binary
    >>> xi = random_binary(40, 100, seed=0)
    >>> y = random_binary(1, 40, seed=1)[0]
    >>> res = learn(xi, y, kappa=0.5)
    >>> bool(res.converged[0]), bool(res.stability[0] >= 0.5)
    (True, True)
    """
    xi = as_pm1(patterns, "patterns", ndim=(2, 3))
    y = as_pm1(targets, "targets", ndim=(1, 2))
    if xi.ndim == 2:
        xi = xi[None]
    if y.ndim == 1:
        y = y[None]
    B, P, N = xi.shape
    if y.shape != (B, P):
        raise ValueError(f"targets must have shape {(B, P)[1:] if B == 1 else (B, P)} to match patterns "
                         f"{xi.shape}, got {np.shape(targets)}")
    kappa = as_float(kappa, "kappa", minimum=0.0)
    max_updates = as_int(max_updates, "max_updates", minimum=1)
    check_memory(B * P * P * 8, "the pattern overlap matrices (B x P x P int64)", "use fewer problems per call")
    X = xi.astype(np.int64) * y.astype(np.int64)[:, :, None]  # (B, P, N) y_mu xi^mu
    C = np.einsum("bpn,bqn->bpq", X.astype(np.float64), X.astype(np.float64))  # exact: |C| <= N < 2**53
    C = np.ascontiguousarray(np.rint(C).astype(np.int64))
    counts = np.zeros((B, P), np.int64)
    h = np.zeros((B, P), np.int64)
    converged = np.zeros(B, np.bool_)
    updates = np.zeros(B, np.int64)
    J2 = np.zeros(B, np.int64)
    _k.minover_batch(C, N, kappa, max_updates, counts, h, converged, updates, J2)
    J = np.einsum("bp,bpn->bn", counts, X)
    with np.errstate(divide="ignore", invalid="ignore"):
        stab = np.where(J2 > 0, h.min(axis=1) / np.sqrt(J2.astype(np.float64)), -np.inf)
    return PerceptronResult(J, counts, converged, updates, stab)


def capacity_trials(N: int, P: int, kappa: float, trials: int, seed: int = 0, max_updates: int = 100_000,
                    chunk: int = 64) -> PerceptronResult:
    """``trials`` independent random problems (patterns and targets uniform +-1) learned by :func:`learn`.

    Problem ``t`` draws from ``np.random.SeedSequence(seed).spawn(trials)[t]``,
    so the result does not depend on ``chunk`` or on the number of threads.

    Returns
    -------
    PerceptronResult
        Concatenated over the trials.
    """
    N = as_int(N, "N", minimum=2)
    P = as_int(P, "P", minimum=1)
    trials = as_int(trials, "trials", minimum=1)
    chunk = as_int(chunk, "chunk", minimum=1)
    seed = as_seed(seed)
    streams = np.random.SeedSequence(seed).spawn(trials)
    parts = []
    for start in range(0, trials, chunk):
        xs, ys = [], []
        for ss in streams[start:start + chunk]:
            rng = np.random.default_rng(ss)
            xs.append(np.where(rng.random((P, N)) < 0.5, -1, 1).astype(np.int8))
            ys.append(np.where(rng.random(P) < 0.5, -1, 1).astype(np.int8))
        parts.append(learn(np.stack(xs), np.stack(ys), kappa, max_updates))
    return PerceptronResult(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                              ("J", "counts", "converged", "updates", "stability")))
