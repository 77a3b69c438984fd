"""Dense associative memory of Krotov & Hopfield (2016) with binary neurons."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from hopfield import _device
from hopfield import _validate as V
from hopfield.kernels import dense as K_
from hopfield.kernels.rng import trial_states
from hopfield.result import RunResult

F_CHOICES = ("poly", "rectified", "exp")
#: Largest interaction order: the coefficients 2 C(n, k) of (x+1)^n - (x-1)^n fit in int64 up to n = 65.
N_MAX = 65
MODE_NAMES = {K_.MODE_INT: "int64", K_.MODE_FLOAT: "float64", K_.MODE_EXP: "exp-shifted"}


class DenseAssociativeMemory:
    """Dense associative memory ``E = -sum_mu F(xi^mu . sigma)`` on +-1 neurons.

    Parameters
    ----------
    patterns : array_like of shape (K, N), entries in {-1, +1}
        The K stored memories ``xi^mu`` (any integer or float dtype; kept as int).
    F : {"poly", "rectified", "exp"}
        Interaction function: ``x**n``, ``max(x, 0)**n`` or ``exp(x)``.
    n : int, default 3
        Interaction order, an integer from 2 to 65 (``N_MAX``; ignored by ``F="exp"``, still validated).

    Attributes
    ----------
    patterns : ndarray of shape (K, N), int8
    N, K, n : int
    F : str
    arithmetic : str
        ``"int64"`` (exact), ``"float64"`` (polynomial differences that could
        overflow int64, see Notes) or ``"exp-shifted"``.

    Notes
    -----
    Energy (eq. 2-3 of the reference) ``E(sigma) = -sum_mu F(xi^mu . sigma)``;
    asynchronous update of neuron i (eq. 4)

        sigma_i <- Sign[ sum_mu F(xi_i^mu + x_mu) - F(-xi_i^mu + x_mu) ],
        x_mu = sum_{j != i} xi_j^mu sigma_j.

    A tie (the bracket exactly 0) keeps the current state. The overlaps
    ``xi^mu . sigma`` are kept incrementally, so a neuron visit costs O(K) and a
    sweep O(N K). For polynomial F the differences
    ``(x+1)^n - (x-1)^n`` are exact int64 integers whenever
    ``K * max|(x+1)^n - (x-1)^n| < 2**63`` over ``|x| <= N-1``; otherwise the
    same polynomial is evaluated in float64 (exact below 2**53, rounded above).
    For ``F="exp"`` the field is computed with the largest exponent factored
    out and ties are detected exactly (see ``hopfield.kernels.dense``);
    energies are reported as ``-log(-E) = -log sum_mu exp(xi^mu . sigma)``, a
    monotone increasing transform of E that stays finite for any N.

    References
    ----------
    D. Krotov and J. J. Hopfield, "Dense associative memory for pattern
    recognition", NeurIPS 2016, arXiv:1606.01164, eq. 2-4.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> xi = np.where(rng.random((50, 40)) < 0.5, -1, 1).astype(np.int8)
    >>> mem = DenseAssociativeMemory(xi, F="poly", n=3)
    >>> cue = xi[7].copy(); cue[:6] *= -1
    >>> res = mem.run(cue, seed=1)
    >>> bool(res.converged[0]), int(res.best[0]), float(res.best_overlap[0])
    (True, 7, 1.0)
    """

    def __init__(self, patterns: npt.ArrayLike, F: str = "poly", n: int = 3) -> None:
        self.patterns = V.as_pm1(patterns, "patterns", ndim=2)
        self.F = V.as_choice(F, "F", F_CHOICES)
        self.n = V.as_int(n, "n", minimum=2, maximum=N_MAX)
        self.K, self.N = self.patterns.shape
        V.check_memory(self.N * self.K, "patterns (stored neuron-major as int8)")
        self._xiT = np.ascontiguousarray(self.patterns.T)  # (N, K) int8: one byte per term read
        self._rowsum = self._xiT.sum(axis=1, dtype=np.int64)  # (N,)
        self._mode = K_.select_mode(self.F, self.N, self.K, self.n)
        self._c, self._n_even = K_.difference_coefficients(self.n)
        self._rect = self.F == "rectified"

    @property
    def arithmetic(self) -> str:
        return MODE_NAMES[self._mode]

    def __repr__(self) -> str:
        return f"DenseAssociativeMemory(K={self.K}, N={self.N}, F={self.F!r}, n={self.n}, arithmetic={self.arithmetic!r})"

    def _states(self, x, name: str) -> tuple[np.ndarray, bool]:
        arr = V.as_pm1(x, name, ndim=(1, 2))
        single = arr.ndim == 1
        arr = arr.reshape(1, -1) if single else arr
        if arr.shape[1] != self.N:
            raise ValueError(f"{name} must have N = {self.N} neurons (last axis), got shape {np.shape(x)}")
        return np.ascontiguousarray(arr), single

    def energy(self, states: npt.ArrayLike) -> float | np.ndarray:
        """Energy ``-sum_mu F(xi^mu . sigma)`` of one state (N,) or a batch (B, N).

        Returns a float for one state, else ndarray of shape (B,), float64. For
        ``F="exp"`` the value is ``-log sum_mu exp(xi^mu . sigma)`` (see Notes
        of the class).
        """
        arr, single = self._states(states, "states")
        out = np.empty(arr.shape[0], dtype=np.float64)
        K_.energies_kernel(self._xiT, arr, self._mode, self.n, self._rect, out)
        return float(out[0]) if single else out

    def run(
        self,
        cues: npt.ArrayLike,
        schedule: str = "async",
        max_sweeps: int = 100,
        order: str = "random",
        seed: int | None = 0,
        record_energy: bool = False,
        *,
        device: str | None = None,
        threads_per_cue: int | None = None,
        _force_float: bool = False,
    ) -> RunResult:
        """Run the dynamics from each cue until a fixed point or ``max_sweeps``.

        Parameters
        ----------
        cues : array_like of shape (N,) or (B, N), entries in {-1, +1}
        schedule : {"async", "sync"}
            ``"async"``: neurons updated one at a time (eq. 4), in a fresh random
            permutation every sweep (``order="random"``, drawn from trial b's
            SplitMix64 stream ``trial_states(seed, B)[b]``) or in index order
            (``order="sequential"``). ``"sync"``: all neurons updated from the
            same old state; a return to the state of two steps before is
            reported as a 2-cycle (``cycled``) and stops the trial.
        max_sweeps : int >= 1
        order : {"random", "sequential"}
        seed : int >= 0, None or numpy.random.Generator
            Per-trial streams from ``(seed, trial)``; a Generator gives one
            integer seed from one draw (see ``hopfield._validate.as_seed``).
        record_energy : bool
            Keep the energy after every sweep, by incremental differences.
        device : {"cpu", "gpu"} or None, keyword-only
            Where the dynamics run; None means ``$AMLAB_DEVICE``, else ``"cpu"``
            (``hopfield._device.resolve``). ``"gpu"`` runs one thread block per
            cue (:mod:`hopfield.kernels.cuda.dense`): for the integer
            arithmetic (``arithmetic == "int64"``) final states, overlaps,
            sweep counts, flags, energies and energy traces are the CPU's, bit
            for bit, in every order and schedule; ``"float64"`` and
            ``"exp-shifted"`` agree up to float64 rounding (see that module).
            The GPU keeps a cue's K overlaps in 48 KiB of shared memory, which
            bounds K (about 12 000 at N = 100; a ValueError says the limit).
        threads_per_cue : int >= 1 or None, keyword-only
            GPU block size (default 32, one warp); ignored on the CPU.

        Returns
        -------
        RunResult
            ``sweeps`` counts the final sweep that changed nothing; ``energies``
            and ``energy_trace`` follow ``energy`` (transformed for exp).
        """
        arr, _ = self._states(cues, "cues")
        schedule = V.as_choice(schedule, "schedule", ("async", "sync"))
        order = V.as_choice(order, "order", ("random", "sequential"))
        max_sweeps = V.as_int(max_sweeps, "max_sweeps", minimum=1)
        seed = V.as_seed(seed)
        if not isinstance(record_energy, (bool, np.bool_)):
            raise TypeError(f"record_energy must be a bool, got {record_energy!r}")
        device = _device.resolve(device)
        if threads_per_cue is not None:
            threads_per_cue = V.as_int(threads_per_cue, "threads_per_cue", minimum=1, maximum=1024)
        B = arr.shape[0]
        V.check_memory(B * (self.K * 8 + self.N), "run outputs (B x K overlaps)")
        if record_energy:
            V.check_memory(B * (max_sweeps + 1) * 8, "energy_trace", "lower max_sweeps")
        mode = self._mode
        if _force_float and mode == K_.MODE_INT:
            mode = K_.MODE_FLOAT
        if device == "gpu":
            return self._run_gpu(arr, seed, mode, schedule == "sync", order == "sequential", max_sweeps,
                                 bool(record_energy), threads_per_cue)
        states = np.empty((B, self.N), dtype=np.int8)
        a = np.empty((B, self.K), dtype=np.int64)
        conv = np.zeros(B, dtype=np.bool_)
        sweeps = np.zeros(B, dtype=np.int64)
        cyc = np.zeros(B, dtype=np.bool_)
        energies = np.empty(B, dtype=np.float64)
        trace = np.full((B, max_sweeps + 1) if record_energy else (1, 1), np.nan)
        K_.run_dense_kernel(
            self._xiT, self._rowsum, arr, trial_states(seed, B), mode, self._c, self._n_even,
            self._rect, self.n, schedule == "sync", order == "sequential", max_sweeps,
            bool(record_energy), states, a, conv, sweeps, cyc, energies, trace,
        )  # fmt: skip
        return RunResult(
            states=states,
            converged=conv,
            sweeps=sweeps,
            cycled=cyc,
            energies=energies,
            overlaps=a / self.N,
            energy_trace=trace if record_energy else None,
        )

    def _run_gpu(self, arr, seed, mode, sync, sequential, max_sweeps, record, threads):
        """``run`` on the GPU (arguments already validated); see :mod:`hopfield.kernels.cuda.dense`."""
        _device.cuda()  # raises DeviceUnavailableError with one line before anything compiles
        from hopfield.kernels.cuda import dense as G_

        states, a, conv, sweeps, cyc, energies, trace = G_.run_dense_gpu(
            self._xiT, self._rowsum, arr, trial_states(seed, arr.shape[0]), mode, self._c, self._n_even, self._rect,
            self.n, sync, sequential, max_sweeps, record, G_.DEFAULT_THREADS if threads is None else threads,
        )  # fmt: skip
        return RunResult(states=states, converged=conv, sweeps=sweeps, cycled=cyc, energies=energies,
                         overlaps=a / self.N, energy_trace=trace)
