"""Binary palimpsests: a Hopfield network that keeps learning a stream of patterns and forgets.

A stream of random +-1 patterns of ``N`` neurons is written one after another
into the couplings of a classical network (zero diagonal), oldest first:

* ``rule="marginalist"`` (Nadal, Toulouse, Changeux & Dehaene 1986; Mezard,
  Nadal & Toulouse 1986): ``J <- lam J + xi xi^T / N`` with
  ``lam = 1 - eps / N`` (or ``lam`` given directly). A pattern of age ``t``
  (``t = 0`` the last one written) carries weight ``lam^t``.
* ``rule="bounded"`` (Parisi 1986): ``J_ij <- clip(J_ij + xi_i xi_j / N, -A / sqrt(N), A / sqrt(N))``.
  The bound is ``A`` in units of ``1 / sqrt(N)``, the typical size of a
  Hebbian coupling after ``N`` patterns, and the increment ``1 / N`` as in
  the Hebbian rule, so a synapse saturates after about ``A^2 N`` patterns;
  only the ratio bound/increment ``A sqrt(N)`` matters for the sign dynamics.

After a burn-in long enough for the couplings to be stationary, the most
recent patterns are read back by age: :func:`aligned_fields` gives the one-step
aligned local fields ``xi_i^t h_i`` of the pattern of age ``t`` and
:func:`retrieve` runs zero-temperature asynchronous dynamics (the classical
weights kernel, ``hopfield.kernels.classical``, with its counter-based
streams) from the pattern or a noisy copy and returns the final overlap.
:func:`simulate` does all of it from a seed.

References
----------
J. P. Nadal, G. Toulouse, J. P. Changeux, S. Dehaene, "Networks of formal
neurons and memory palimpsests", Europhys. Lett. 1, 535-542 (1986).
M. Mezard, J. P. Nadal, G. Toulouse, "Solvable models of working memories",
J. Physique 47, 1457-1462 (1986).
G. Parisi, "A memory which forgets", J. Phys. A 19, L617-L620 (1986).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hopfield._validate import as_choice, as_float, as_int, as_pm1, as_seed, check_memory
from hopfield.kernels import classical as _ck
from hopfield.kernels import palimpsest as _k
from hopfield.kernels.rng import trial_states
from hopfield.patterns import flip as _flip
from hopfield.patterns import random_binary

__all__ = ["RULES", "forgetting_factor", "stream_weights", "aligned_fields", "retrieve", "simulate",
           "default_burn_in", "PalimpsestResult"]

RULES = ("marginalist", "bounded")
DTYPES = {"float32": np.float32, "float64": np.float64}


def forgetting_factor(N: int, eps: float | None = None, lam: float | None = None) -> float:
    """The decay ``lam`` of the marginalist rule: ``1 - eps / N``, or ``lam`` itself.

    Parameters
    ----------
    N : int
        Number of neurons, >= 2.
    eps : float, optional
        Forgetting rate, ``0 <= eps <= N`` (``eps = 0`` is the Hopfield network).
    lam : float, optional
        The decay, in ``[0, 1]``. Give exactly one of ``eps`` and ``lam``.

    Returns
    -------
    float

    Examples
    --------
    >>> forgetting_factor(100, eps=2.0)
    0.98
    """
    N = as_int(N, "N", minimum=2)
    if (eps is None) == (lam is None):
        raise ValueError(f"give exactly one of eps and lam, got eps={eps!r}, lam={lam!r}")
    if eps is not None:
        eps = as_float(eps, "eps", minimum=0.0)
        if eps > N:
            raise ValueError(f"eps must lie in [0, N={N}], got {eps}")
        return 1.0 - eps / N
    lam = as_float(lam, "lam", minimum=0.0)
    if lam > 1.0:
        raise ValueError(f"lam must lie in [0, 1], got {lam}")
    return lam


def _dtype(dtype) -> type:
    try:
        name = np.dtype(dtype).name
    except TypeError as exc:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from exc
    if name not in DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {name}")
    return DTYPES[name]


def stream_weights(patterns: npt.ArrayLike, rule: str = "marginalist", *, lam: float | None = None,
                   eps: float | None = None, A: float | None = None, dtype: npt.DTypeLike = "float64") -> np.ndarray:
    """Write a stream of patterns, oldest first, into the couplings of a palimpsest.

    Parameters
    ----------
    patterns : array_like of shape (P, N), entries in {-1, +1}
        The stream; row ``P - 1`` is written last (age 0).
    rule : {"marginalist", "bounded"}
        ``J <- lam J + xi xi^T / N`` or ``J_ij <- clip(J_ij + xi_i xi_j / N, +-A / sqrt(N))``.
    lam, eps : float, optional
        The marginalist decay (exactly one; see :func:`forgetting_factor`).
    A : float, optional
        The bounded rule's bound in units of ``1 / sqrt(N)``, > 0 (required there).
    dtype : {"float32", "float64"}
        Arithmetic and result dtype.

    Returns
    -------
    ndarray of shape (N, N)
        Symmetric couplings with a zero diagonal, starting from ``J = 0``.

    Examples
    --------
    >>> from hopfield.patterns import random_binary
    >>> J = stream_weights(random_binary(50, 40, seed=0), eps=2.0)
    >>> J.shape, bool(abs(J - J.T).max() == 0), float(abs(J.diagonal()).max())
    ((40, 40), True, 0.0)
    """
    xi = as_pm1(patterns, "patterns", ndim=2)
    P, N = xi.shape
    if N < 2:
        raise ValueError(f"patterns must have at least 2 neurons (columns), got shape {xi.shape}")
    rule = as_choice(rule, "rule", RULES)
    dt = _dtype(dtype)
    if rule == "marginalist":
        if A is not None:
            raise ValueError(f"A is the bounded rule's parameter; the marginalist rule takes lam or eps, got A={A!r}")
        lam_v = forgetting_factor(N, eps=eps, lam=lam)
        bound = 0.0
        code = _k.MARGINALIST
    else:
        if lam is not None or eps is not None:
            raise ValueError(f"the bounded rule takes A, not lam or eps (got lam={lam!r}, eps={eps!r})")
        if A is None:
            raise ValueError("the bounded rule needs A, the bound in units of 1/sqrt(N), > 0")
        A = as_float(A, "A", minimum=0.0, strict=True)
        lam_v, bound, code = 1.0, A / math.sqrt(N), _k.BOUNDED
    check_memory(N * N * np.dtype(dt).itemsize, f"couplings J ({N} x {N} {np.dtype(dt).name})")
    J = np.zeros((N, N), dtype=dt)
    _k.write(J, xi, code, dt(lam_v), dt(1.0 / N), dt(bound))
    return J


def _ages(ages, P: int) -> np.ndarray:
    a = np.asarray(ages)
    if a.ndim != 1 or a.size == 0 or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"ages must be a non-empty 1-D array of integers, got {ages!r}")
    if a.min() < 0 or a.max() >= P:
        raise ValueError(f"ages must lie in [0, P-1={P - 1}] (P patterns written), got min {a.min()}, max {a.max()}")
    return a.astype(np.int64)


def _weights(J, N: int | None = None) -> np.ndarray:
    W = np.asarray(J)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] < 2:
        raise ValueError(f"J must be a square (N, N) matrix with N >= 2, got shape {W.shape}")
    if W.dtype.name not in DTYPES:
        raise TypeError(f"J must be float32 or float64, got dtype {W.dtype}")
    if N is not None and W.shape[0] != N:
        raise ValueError(f"J has N={W.shape[0]} neurons but patterns have {N}")
    return W


def aligned_fields(J: np.ndarray, patterns: npt.ArrayLike, ages: npt.ArrayLike) -> np.ndarray:
    """One-step aligned local fields ``u_i = xi_i^t sum_j J_ij xi_j^t`` of the patterns of the given ages.

    Parameters
    ----------
    J : ndarray of shape (N, N), float32 or float64
        Couplings from :func:`stream_weights`.
    patterns : array_like of shape (P, N), entries in {-1, +1}
        The stream that was written (age ``t`` is row ``P - 1 - t``).
    ages : array_like of shape (K,), int
        Ages in ``[0, P - 1]``.

    Returns
    -------
    ndarray of shape (K, N), float64
    """
    xi = as_pm1(patterns, "patterns", ndim=2)
    W = np.ascontiguousarray(_weights(J, xi.shape[1]))
    a = _ages(ages, xi.shape[0])
    rows = xi.shape[0] - 1 - a
    out = np.empty((a.size, xi.shape[1]), np.float64)
    _k.aligned(W, xi, rows, out)
    return out


def retrieve(J: np.ndarray, patterns: npt.ArrayLike, ages: npt.ArrayLike, flip: float = 0.0,
             seed: int | np.random.Generator | None = None, max_sweeps: int = 100) -> np.ndarray:
    """Zero-temperature asynchronous retrieval of the patterns of the given ages.

    Each cue is the pattern of that age with a fraction ``flip`` of its bits
    flipped; the dynamics is the classical network's (random order, a zero
    field keeps the current value) on the float64 couplings ``J``.

    Parameters
    ----------
    J : ndarray of shape (N, N), float32 or float64
    patterns : array_like of shape (P, N), entries in {-1, +1}
    ages : array_like of shape (K,), int
    flip : float
        Fraction of cue bits flipped, in ``[0, 1]``.
    seed : None, int or numpy.random.Generator
        Seeds the cue noise and the update order (cue ``k`` draws from ``(seed, k)``).
    max_sweeps : int
        Most sweeps per cue, >= 1.

    Returns
    -------
    ndarray of shape (K,), float64
        Final overlap ``m = xi^t . s / N`` of each cue with its pattern.
    """
    xi = as_pm1(patterns, "patterns", ndim=2)
    N = xi.shape[1]
    W = np.ascontiguousarray(_weights(J, N), dtype=np.float64)
    a = _ages(ages, xi.shape[0])
    flip = as_float(flip, "flip", minimum=0.0)
    if flip > 1.0:
        raise ValueError(f"flip must lie in [0, 1], got {flip}")
    max_sweeps = as_int(max_sweeps, "max_sweeps", minimum=1)
    seed = as_seed(seed)
    target = xi[xi.shape[0] - 1 - a]  # (K, N)
    cue_seed, dyn_seed = (int(s.generate_state(1, np.uint64)[0] >> np.uint64(1))
                          for s in np.random.SeedSequence(seed).spawn(2))
    S = np.ascontiguousarray(_flip(target, fraction=flip, seed=cue_seed)) if flip > 0 else target.copy()
    B = S.shape[0]
    seeds = trial_states(dyn_seed, B)
    H = np.zeros((B, N), np.float64)
    trace = np.empty((B, 0), np.float64)
    converged = np.zeros(B, np.bool_)
    sweeps = np.zeros(B, np.int64)
    cycled = np.zeros(B, np.bool_)
    energy = np.zeros(B, np.float64)
    _ck.run_weights(W, np.ascontiguousarray(np.diag(W)), S, seeds, _ck.ASYNC, 0.0, 1.0, 2.0, max_sweeps,
                    False, False, H, trace, converged, sweeps, cycled, energy)
    return (S.astype(np.int64) * target).sum(axis=1) / N


def default_burn_in(N: int, rule: str, lam: float = 1.0, A: float = 0.0) -> int:
    """Patterns written before the oldest age read, enough for stationary couplings.

    Marginalist: ``ceil(5 / (1 - lam))`` (the weights left out, ``lam^(2P)``, are below
    ``e^-10`` of the stationary crosstalk variance); bounded: ``ceil(5 A^2 N)``
    (five saturation times of the synapses' random walk), at least ``N``.
    """
    if rule == "marginalist":
        if lam >= 1.0:
            raise ValueError("lam = 1 never forgets: give burn_in (the number of patterns) explicitly")
        return int(math.ceil(5.0 / (1.0 - lam)))
    return max(N, int(math.ceil(5.0 * A * A * N)))


@dataclass(frozen=True)
class PalimpsestResult:
    """Outcome of :func:`simulate` (arrays indexed by ``ages``).

    Attributes
    ----------
    N, P : int
        Neurons and patterns written.
    rule : str
    lam, A : float
        The marginalist decay (1 for the bounded rule) and the bound (0 for the marginalist rule).
    ages : ndarray of shape (K,), int64
    overlaps : ndarray of shape (K,), float64
        Final overlaps of the retrieval from each pattern (or its noisy cue).
    field_mean, field_var : ndarray of shape (K,), float64
        Mean and (population) variance over the ``N`` neurons of the aligned field ``xi_i^t h_i``.
    seed : int
    """

    N: int
    P: int
    rule: str
    lam: float
    A: float
    ages: np.ndarray
    overlaps: np.ndarray
    field_mean: np.ndarray
    field_var: np.ndarray
    seed: int


def simulate(N: int, ages: npt.ArrayLike, rule: str = "marginalist", *, eps: float | None = None,
             lam: float | None = None, A: float | None = None, burn_in: int | None = None, flip: float = 0.0,
             seed: int | np.random.Generator | None = None, max_sweeps: int = 100, retrieve_patterns: bool = True) -> PalimpsestResult:
    """Write a stream of random patterns into a palimpsest and read the recent ones back by age.

    Parameters
    ----------
    N : int
        Neurons, >= 2.
    ages : array_like of shape (K,), int
        Ages to read (0 is the last pattern written).
    rule : {"marginalist", "bounded"}
    eps, lam : float, optional
        Marginalist decay (exactly one of them there).
    A : float, optional
        Bounded rule's bound in units of ``1 / sqrt(N)``.
    burn_in : int, optional
        Patterns written before the oldest age read; default :func:`default_burn_in`.
        The stream has ``P = burn_in + max(ages) + 1`` patterns.
    flip : float
        Fraction of bits flipped in each retrieval cue.
    seed : None, int or numpy.random.Generator
        One seed for everything: the same seed gives the same bits for any thread count.
    max_sweeps : int
    retrieve_patterns : bool
        Run the dynamics (False leaves ``overlaps`` as NaN, for the field statistics alone).

    Returns
    -------
    PalimpsestResult

    Examples
    --------
    >>> r = simulate(200, [0, 5, 400], eps=8.0, seed=0)
    >>> [bool(m > 0.9) for m in r.overlaps]
    [True, True, False]
    """
    N = as_int(N, "N", minimum=2)
    rule = as_choice(rule, "rule", RULES)
    a = np.asarray(ages)
    if a.ndim != 1 or a.size == 0 or not np.issubdtype(a.dtype, np.integer) or a.min() < 0:
        raise ValueError(f"ages must be a non-empty 1-D array of non-negative integers, got {ages!r}")
    if rule == "marginalist":
        lam_v, A_v = forgetting_factor(N, eps=eps, lam=lam), 0.0
        if A is not None:
            raise ValueError(f"A is the bounded rule's parameter, got A={A!r} with rule='marginalist'")
    else:
        if lam is not None or eps is not None or A is None:
            raise ValueError(f"the bounded rule takes A (> 0) alone, got A={A!r}, lam={lam!r}, eps={eps!r}")
        lam_v, A_v = 1.0, as_float(A, "A", minimum=0.0, strict=True)
    if burn_in is None:
        burn_in = default_burn_in(N, rule, lam_v, A_v)
    burn_in = as_int(burn_in, "burn_in", minimum=0)
    flip = as_float(flip, "flip", minimum=0.0)
    if flip > 1.0:
        raise ValueError(f"flip must lie in [0, 1], got {flip}")
    max_sweeps = as_int(max_sweeps, "max_sweeps", minimum=1)
    if not isinstance(retrieve_patterns, (bool, np.bool_)):
        raise TypeError(f"retrieve_patterns must be a bool, got {retrieve_patterns!r}")
    seed = as_seed(seed)
    P = burn_in + int(a.max()) + 1
    pat_seed, run_seed = (int(s.generate_state(1, np.uint64)[0] >> np.uint64(1))
                          for s in np.random.SeedSequence(seed).spawn(2))
    xi = random_binary(P, N, seed=pat_seed)
    if rule == "marginalist":
        J = stream_weights(xi, rule, lam=lam_v)
    else:
        J = stream_weights(xi, rule, A=A_v)
    u = aligned_fields(J, xi, a)
    m = retrieve(J, xi, a, flip=flip, seed=run_seed, max_sweeps=max_sweeps) if retrieve_patterns \
        else np.full(a.size, np.nan)
    return PalimpsestResult(N=N, P=P, rule=rule, lam=lam_v, A=A_v, ages=a.astype(np.int64), overlaps=m,
                            field_mean=u.mean(axis=1), field_var=u.var(axis=1), seed=seed)
