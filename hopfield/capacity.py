"""Capacity scan of the classical Hopfield network: many fresh networks, one kernel call.

A capacity trial draws P random patterns, stores them with the Hebbian rule,
corrupts pattern 0 and asks whether the dynamics recall it exactly. A scan
repeats this ``trials`` times at every P of a list. :func:`capacity_scan`
validates its arguments once and runs every trial of every point in one
compiled kernel (:mod:`hopfield.kernels.capacity`), spread over threads; the
per-trial cost is the dynamics themselves, with no Python in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import numpy.typing as npt

from hopfield._device import cuda, resolve
from hopfield._validate import as_flip_count, as_int, as_seed, check_memory
from hopfield.kernels import capacity as _k
from hopfield.kernels.rng import trial_states
from hopfield.kernels.threads import run_trials

__all__ = ["CapacityScan", "capacity_scan", "point_seeds"]


@dataclass(frozen=True)
class CapacityScan:
    """Outcome of :func:`capacity_scan`: ``len(P)`` points of ``trials`` trials each.

    Attributes
    ----------
    N : int
        Number of neurons.
    P : ndarray of shape (n_points,), int64
        Number of stored patterns at each point.
    n_flip : int
        Neurons of pattern 0 flipped to make each cue.
    overlap : ndarray of shape (n_points, trials), float64
        Final overlap ``m = xi^0 . s / N`` with the cued pattern.
    sweeps : ndarray of shape (n_points, trials), int64
        Sweeps used, the last one (that changed nothing) included.
    converged : ndarray of shape (n_points, trials), bool
        True where a sweep changed nothing before ``max_sweeps``.
    """

    N: int
    P: np.ndarray
    n_flip: int
    overlap: np.ndarray
    sweeps: np.ndarray
    converged: np.ndarray

    @property
    def success(self) -> np.ndarray:
        """Exact recall (final state equal to pattern 0), shape (n_points, trials), bool."""
        return self.overlap == 1.0

    @property
    def success_rate(self) -> np.ndarray:
        """Fraction of exact recalls at each point, shape (n_points,), float64."""
        return self.success.mean(axis=1)


def point_seeds(seed: int, P: int, trials: int) -> np.ndarray:
    """SplitMix64 start states of the trials of the point with ``P`` patterns, shape (trials,), uint64.

    Trial ``t`` of point ``P`` starts from ``trial_states(s_P, trials)[t]``
    with ``s_P`` the first 64-bit word of ``numpy.random.SeedSequence([seed, P])``:
    it depends on ``(seed, P, t)`` alone, not on the other points of the scan,
    on ``trials`` or on the number of threads.
    """
    s_P = int(np.random.SeedSequence([seed, P]).generate_state(1, np.uint64)[0])
    return trial_states(s_P, trials)


def capacity_scan(
    N: int,
    P: int | npt.ArrayLike,
    trials: int,
    fraction: Optional[float] = None,
    count: Optional[int] = None,
    seed: int | np.random.Generator | None = 0,
    max_sweeps: int = 200,
    *,
    device: Optional[str] = None,
) -> CapacityScan:
    """Empirical retrieval of a corrupted pattern as the number of stored patterns grows.

    For every ``P`` and each of ``trials`` independent trials: draw ``P``
    random +-1 patterns of ``N`` neurons, store them with the Hebbian rule
    ``W = xi^T xi / N`` with zero diagonal (Hopfield 1982), flip ``count``
    distinct neurons of pattern 0 to make the cue, run random-order
    asynchronous dynamics (a zero field keeps the neuron) until a sweep
    changes nothing or ``max_sweeps`` sweeps, and record the final overlap
    with pattern 0. The dynamics are those of
    ``ClassicalHopfield(xi).run(cue, order="random")``; the loading
    ``alpha = P / N`` at which exact recall stops is the storage capacity
    (``alpha_c ~ 0.138`` for large N; Amit, Gutfreund & Sompolinsky 1987).

    Parameters
    ----------
    N : int
        Number of neurons, >= 2.
    P : int or sequence of int
        Numbers of stored patterns, each >= 1.
    trials : int
        Trials per point, >= 1.
    fraction : float, optional
        Fraction of the N neurons flipped in the cue, in [0, 1]; the count is
        ``round(fraction * N)``, as in :func:`hopfield.patterns.flip`.
    count : int, optional
        Number of flipped neurons, in [0, N]. Give exactly one of
        ``fraction`` and ``count``.
    seed : int, None or numpy.random.Generator
        Trial ``t`` of point ``P`` draws from its own SplitMix64 stream
        (:func:`point_seeds`), so results are bit-identical for any number of
        threads (``numba.set_num_threads``).
    max_sweeps : int
        Maximum number of sweeps per trial, >= 1.
    device : {"cpu", "gpu"}, optional
        Where the trials run; None means ``$AMLAB_DEVICE``, else ``"cpu"``
        (:func:`hopfield._device.resolve`). On ``"gpu"`` each trial is one
        thread block of :mod:`hopfield.kernels.cuda.capacity`, and overlaps,
        sweeps and convergence flags are bit-identical to ``"cpu"``.

    Returns
    -------
    CapacityScan
        Arrays of shape (len(P), trials).

    Notes
    -----
    A trial draws, in order, the patterns (64 bits per random word), the
    flipped positions (partial Fisher-Yates) and then the visiting orders of
    the sweeps; see :mod:`hopfield.kernels.capacity`. The patterns are never
    returned: they are drawn and used inside the kernel.

    References
    ----------
    J. J. Hopfield, "Neural networks and physical systems with emergent
    collective computational abilities", PNAS 79, 2554-2558 (1982).
    D. J. Amit, H. Gutfreund, H. Sompolinsky, "Statistical mechanics of neural
    networks near saturation", Ann. Phys. 173, 30-67 (1987),
    doi:10.1016/0003-4916(87)90092-3.

    Examples
    --------
    >>> from hopfield.capacity import capacity_scan
    >>> scan = capacity_scan(200, [10, 60], trials=20, fraction=0.1, seed=0)
    >>> scan.overlap.shape
    (2, 20)
    >>> [float(r) for r in scan.success_rate]
    [1.0, 0.0]
    """
    N = as_int(N, "N", minimum=2)
    Ps = [P] if isinstance(P, (int, np.integer)) and not isinstance(P, bool) else P
    try:
        Ps = [as_int(p, "P", minimum=1) for p in Ps]
    except TypeError as exc:
        if not hasattr(Ps, "__iter__"):
            raise TypeError(f"P must be an integer or a sequence of integers, got {P!r}") from exc
        raise
    if not Ps:
        raise ValueError(f"P must contain at least one number of patterns, got {P!r}")
    trials = as_int(trials, "trials", minimum=1)
    count = as_flip_count(fraction, count, N)
    seed = as_seed(seed)
    max_sweeps = as_int(max_sweeps, "max_sweeps", minimum=1)
    device = resolve(device)
    if device == "gpu":
        cuda()  # a one-line DeviceUnavailableError before any work
    if device == "cpu":  # the GPU keeps a trial's patterns as bits, in device memory
        check_memory(N * max(Ps) * 9, f"one trial's patterns (N = {N} x P = {max(Ps)}, int8, and overlaps)")
    n = len(Ps)
    B = n * trials
    check_memory(B * 17, f"the results of {B} trials")
    Pb = np.repeat(np.asarray(Ps, np.int64), trials)
    seeds = np.concatenate([point_seeds(seed, p, trials) for p in Ps])
    overlap = np.empty(B, np.int64)
    sweeps = np.empty(B, np.int64)
    converged = np.empty(B, np.bool_)
    if device == "gpu":  # one block per (point, trial), in launches of bounded device memory
        from hopfield.kernels.cuda import capacity as _gk

        overlap, sweeps, converged = _gk.scan(N, Pb, seeds, count, max_sweeps)
    else:  # one call: the (point, trial) pairs are cut into ranges and spread over threads
        run_trials(_k.trials_range, B, N, Pb, seeds, count, max_sweeps, overlap, sweeps, converged)
    return CapacityScan(N=N, P=np.asarray(Ps, np.int64), n_flip=count,
                        overlap=(overlap / N).reshape(n, trials), sweeps=sweeps.reshape(n, trials),
                        converged=converged.reshape(n, trials))
