"""The classical Hopfield network: Hebbian, pseudo-inverse and Storkey storage.

The class validates and prepares arrays; the dynamics run in
:mod:`hopfield.kernels.classical`.
"""

from __future__ import annotations

from typing import Optional, Union

import numpy as np
import numpy.typing as npt

from hopfield import _validate
from hopfield._device import cuda, resolve
from hopfield._validate import as_choice, as_float, as_int, as_pm1, as_seed, check_memory
from hopfield.kernels import classical as _k
from hopfield.kernels.rng import trial_states
from hopfield.kernels.storkey import storkey_learn
from hopfield.result import RunResult

__all__ = ["ClassicalHopfield", "hebbian_weights", "pseudo_inverse_weights", "storkey_weights"]

RULES = ("hebbian", "pseudo-inverse", "storkey")
BACKENDS = ("auto", "weights", "patterns")
#: With ``backend="auto"``, the smallest batch for which the Hebbian matrix is
#: formed: at N = 500..2000, P = N/8..N/5, building W costs about as much as
#: 8-16 trials on the pattern kernel (measured), so smaller runs skip it.
AUTO_WEIGHTS_MIN_BATCH = 16
SCHEDULES = {"async": _k.ASYNC, "sync": _k.SYNC, "glauber": _k.GLAUBER}
ORDERS = ("random", "sequential")


def hebbian_weights(patterns: np.ndarray, keep_diagonal: bool = False) -> np.ndarray:
    """Integer Hebbian couplings ``J = N W = xi^T xi`` (BLAS), int64.

    Parameters
    ----------
    patterns : ndarray of shape (P, N), int8 in {-1, +1}
    keep_diagonal : bool
        Keep ``J_ii = P``; by default the diagonal is zero.

    Returns
    -------
    ndarray of shape (N, N), int64
        ``J_ij = sum_mu xi_i^mu xi_j^mu``: the Hebbian rule of Hopfield (1982)
        for +-1 neurons, times N.
    """
    patterns = as_pm1(patterns, "patterns", ndim=2)
    xf = patterns.astype(np.float64)
    J = np.rint(xf.T @ xf).astype(np.int64)  # exact: |J_ij| <= P < 2**53
    if not keep_diagonal:
        np.fill_diagonal(J, 0)
    return J


def pseudo_inverse_weights(patterns: np.ndarray, keep_diagonal: bool = False) -> np.ndarray:
    """Projection-rule weights ``W = xi^T C^{-1} xi / N``, float64.

    ``C = xi xi^T / N`` is the (P, P) pattern overlap matrix (Personnaz,
    Guyon & Dreyfus 1985; Kanter & Sompolinsky 1987). ``W`` projects onto the
    span of the patterns, so ``W xi^mu = xi^mu`` for every stored pattern.

    Parameters
    ----------
    patterns : ndarray of shape (P, N), int8 in {-1, +1}, linearly independent
    keep_diagonal : bool
        Keep ``W_ii`` (zeroed by default).

    Returns
    -------
    ndarray of shape (N, N), float64, symmetric

    Raises
    ------
    ValueError
        If the patterns are linearly dependent (``C`` singular).
    """
    patterns = as_pm1(patterns, "patterns", ndim=2)
    P, N = patterns.shape
    xf = patterns.astype(np.float64)
    C = (xf @ xf.T) / N
    rank = int(np.linalg.matrix_rank(C))
    if rank < P:
        raise ValueError(
            f"patterns are linearly dependent (overlap matrix C = xi xi^T / N has rank {rank} < P = {P}); "
            "rule='pseudo-inverse' needs linearly independent patterns (P <= N, no repeats)"
        )
    W = xf.T @ np.linalg.solve(C, xf) / N
    W = 0.5 * (W + W.T)
    if not keep_diagonal:
        np.fill_diagonal(W, 0.0)
    return W


def storkey_weights(patterns: np.ndarray, keep_diagonal: bool = False) -> np.ndarray:
    """Storkey's incremental learning rule, float64.

    Patterns are learned one at a time (Storkey 1997; written with the local
    fields ``h_ij`` as in Storkey & Valabregue 1999):

        w_ij^nu = w_ij^(nu-1) + (xi_i xi_j - xi_i h_ji - h_ij xi_j) / N,
        h_ij = sum_{k != i, j} w_ik^(nu-1) xi_k^nu,

    starting from ``W = 0``. Each step is O(N^2), computed by the Numba kernel
    ``hopfield.kernels.storkey.storkey_learn`` (W stays exactly symmetric).
    The diagonal never enters the off-diagonal updates; it is zeroed at the
    end unless ``keep_diagonal``.

    Parameters
    ----------
    patterns : ndarray of shape (P, N), int8 in {-1, +1}
        Learned in row order (the rule is not symmetric in the patterns).
    keep_diagonal : bool
        Keep ``W_ii`` as the rule leaves it (zeroed by default).

    Returns
    -------
    ndarray of shape (N, N), float64, symmetric
    """
    patterns = as_pm1(patterns, "patterns", ndim=2)
    P, N = patterns.shape
    W = storkey_learn(np.ascontiguousarray(patterns, dtype=np.float64), np.zeros((N, N)))
    if not keep_diagonal:
        np.fill_diagonal(W, 0.0)
    return W


class ClassicalHopfield:
    """Hopfield network of N +-1 neurons storing P patterns.

    Parameters
    ----------
    patterns : array_like of shape (P, N), entries in {-1, +1}
        Patterns to store, one per row.
    rule : {"hebbian", "pseudo-inverse", "storkey"}
        Learning rule: Hebbian ``W = xi^T xi / N`` (Hopfield 1982), projection
        ``W = xi^T C^{-1} xi / N`` (Personnaz et al. 1985) or Storkey's
        incremental rule (Storkey 1997).
    keep_diagonal : bool
        Keep the self-couplings ``W_ii`` (zero by default). With the Hebbian
        rule ``W_ii = P/N``, which stabilises every state near a pattern and
        is useful only as a teaching contrast.
    backend : {"auto", "weights", "patterns"}
        ``"weights"`` forms the N x N matrix; ``"patterns"`` (Hebbian only)
        never forms it and computes fields from overlaps, O(P) per visit.
        ``"auto"`` takes ``"patterns"`` for the Hebbian rule when P <= N/8 or
        when the matrix would exceed ``hopfield._validate.MEMORY_LIMIT_BYTES``,
        else ``"weights"`` (the measured crossover of the two kernels lies near
        P = N/8 at N = 500..2000). Forming W costs O(N^2 P) once, more than a
        whole run of a few trials on the pattern kernel, so with ``"auto"`` the
        Hebbian matrix is built only when a run has at least
        ``AUTO_WEIGHTS_MIN_BATCH`` cues (then kept); smaller runs before that
        use the pattern kernel. Both kernels give identical results.

    Attributes
    ----------
    patterns : ndarray of shape (P, N), int8
    N, P : int
    rule, backend : str
        The rule and the backend in use (``"auto"`` resolved).

    Notes
    -----
    Energy ``E(s) = -1/2 s^T W s`` (Hopfield 1982). A visit sets
    ``s_i <- sign(h_i)``, ``h_i = sum_j W_ij s_j``; a field of exactly zero
    keeps the current value (so a tie never raises the energy and never
    makes the dynamics depend on a convention for sign(0)). Glauber dynamics
    at temperature ``T`` set ``s_i = +1`` with probability
    ``1 / (1 + exp(-2 h_i / T))`` (heat bath; Glauber 1963, Amit,
    Gutfreund & Sompolinsky 1985). With a symmetric W and a non-negative
    diagonal, asynchronous updates never increase E.

    References
    ----------
    J. J. Hopfield, "Neural networks and physical systems with emergent
    collective computational abilities", PNAS 79, 2554-2558 (1982).
    L. Personnaz, I. Guyon, G. Dreyfus, "Information storage and retrieval
    in spin-glass like neural networks", J. Physique Lett. 46, L359 (1985).
    I. Kanter, H. Sompolinsky, "Associative recall of memory without errors",
    Phys. Rev. A 35, 380 (1987).
    A. J. Storkey, "Increasing the capacity of a Hopfield network without
    sacrificing functionality", ICANN'97, LNCS 1327, 451-456 (1997).
    A. J. Storkey, R. Valabregue, "The basins of attraction of a new Hopfield
    learning rule", Neural Networks 12, 869-876 (1999).
    R. J. Glauber, "Time-dependent statistics of the Ising model",
    J. Math. Phys. 4, 294 (1963).

    Examples
    --------
    >>> from hopfield.classical import ClassicalHopfield
    >>> from hopfield.patterns import random_binary, flip
    >>> xi = random_binary(5, 200, seed=0)
    >>> net = ClassicalHopfield(xi)
    >>> res = net.run(flip(xi[0], fraction=0.1, seed=1), seed=2)
    >>> float(res.overlaps[0, 0]), bool(res.converged[0])
    (1.0, True)
    """

    def __init__(
        self,
        patterns: npt.ArrayLike,
        rule: str = "hebbian",
        keep_diagonal: bool = False,
        backend: str = "auto",
    ) -> None:
        xi = as_pm1(patterns, "patterns", ndim=2)
        rule = as_choice(rule, "rule", RULES)
        backend = as_choice(backend, "backend", BACKENDS)
        if not isinstance(keep_diagonal, (bool, np.bool_)):
            raise TypeError(f"keep_diagonal must be a bool, got {keep_diagonal!r}")
        P, N = xi.shape
        wbytes = N * N * 8
        fits = wbytes <= _validate.MEMORY_LIMIT_BYTES
        if backend == "patterns" and rule != "hebbian":
            raise ValueError(f"backend='patterns' needs rule='hebbian', got rule={rule!r}; use backend='weights'")
        auto = backend == "auto"
        if auto:
            backend = "patterns" if rule == "hebbian" and (8 * P <= N or not fits) else "weights"
        if backend == "weights":
            check_memory(wbytes, f"the weight matrix for patterns with N = {N} (N x N, 8 bytes each)",
                         "use rule='hebbian' with backend='patterns', which never forms it")
        self.patterns = xi
        self.P, self.N = P, N
        self.rule = rule
        self.keep_diagonal = bool(keep_diagonal)
        self.backend = backend
        self._xiT = np.ascontiguousarray(xi.T)  # (N, P) neuron-major
        self._W = None
        self._xf = None  # float64 copy of the patterns, made when needed
        self._lazy_weights = auto and rule == "hebbian"
        if backend == "weights" and not self._lazy_weights:
            if rule == "hebbian":
                self._W = self._hebbian_int_weights()
            elif rule == "pseudo-inverse":
                self._W = pseudo_inverse_weights(xi, self.keep_diagonal)
            else:
                self._W = storkey_weights(xi, self.keep_diagonal)

    # -- weights, fields, energy ------------------------------------------------

    def _hebbian_int_weights(self) -> np.ndarray:
        # N W in int32 (|J_ij| <= P): half the memory traffic of int64 when fields are set up
        J = hebbian_weights(self.patterns, self.keep_diagonal)
        return J.astype(np.int32) if self.P < 2**31 else J

    def _patterns_f64(self) -> np.ndarray:
        if self._xf is None:
            self._xf = self.patterns.astype(np.float64)
        return self._xf

    def _run_backend(self, B: int) -> str:
        """The kernel a run of ``B`` cues uses (see ``backend`` in the class docstring)."""
        if self.backend == "weights" and self._W is None:
            if B < AUTO_WEIGHTS_MIN_BATCH:
                return "patterns"
            self._W = self._hebbian_int_weights()
        return self.backend

    @property
    def weights(self) -> np.ndarray:
        """The weight matrix W, shape (N, N), float64 (formed on demand for the patterns backend)."""
        if self._W is None and self.backend == "weights":
            self._W = self._hebbian_int_weights()
        if self._W is None:
            check_memory(self.N * self.N * 8, "the weight matrix (N x N float64)")
            return hebbian_weights(self.patterns, self.keep_diagonal) / self.N
        if self.rule == "hebbian":
            return self._W / self.N
        W = self._W.view()
        W.flags.writeable = False
        return W

    def _states(self, states, name="states") -> np.ndarray:
        s = as_pm1(states, name)
        if s.shape[-1] != self.N:
            raise ValueError(f"{name} must have N = {self.N} neurons in its last axis, got shape {s.shape}")
        return s

    def _fields_scaled(self, s2: np.ndarray) -> np.ndarray:
        """Fields of (B, N) states: integers ``N h`` (Hebbian) or ``h`` (float64)."""
        sf = s2.astype(np.float64)
        if self.rule == "hebbian":
            M = sf @ self.patterns.T.astype(np.float64)  # (B, P) exact integers
            c = 0 if self.keep_diagonal else self.P
            return M @ self.patterns.astype(np.float64) - c * sf
        return sf @ self.weights

    def fields(self, states: npt.ArrayLike) -> np.ndarray:
        """Local fields ``h = W s``.

        Parameters
        ----------
        states : array_like of shape (N,) or (B, N), entries in {-1, +1}

        Returns
        -------
        ndarray of the shape of ``states``, float64
        """
        s = self._states(states)
        h = self._fields_scaled(s.reshape(-1, self.N))
        if self.rule == "hebbian":
            h = h / self.N
        return h.reshape(s.shape)

    def energy(self, states: npt.ArrayLike) -> Union[float, np.ndarray]:
        """Energy ``E = -1/2 s^T W s`` of one state or a batch.

        Parameters
        ----------
        states : array_like of shape (N,) or (B, N), entries in {-1, +1}

        Returns
        -------
        float, or ndarray of shape (B,), float64
        """
        s = self._states(states)
        s2 = s.reshape(-1, self.N)
        h = self._fields_scaled(s2)
        e = -0.5 * np.einsum("bi,bi->b", s2.astype(np.float64), h)
        if self.rule == "hebbian":
            e = e / self.N
        return float(e[0]) if s.ndim == 1 else e

    # -- dynamics ---------------------------------------------------------------

    def run(
        self,
        cues: npt.ArrayLike,
        schedule: str = "async",
        T: float = 0.0,
        max_sweeps: int = 100,
        order: str = "random",
        seed: Optional[int] = 0,
        record_energy: bool = False,
        *,
        device: Optional[str] = None,
    ) -> RunResult:
        """Run the dynamics from each cue until a fixed point or ``max_sweeps``.

        Parameters
        ----------
        cues : array_like of shape (N,) or (B, N), entries in {-1, +1}
            Initial states; one cue gives a batch of one.
        schedule : {"async", "sync", "glauber"}
            ``"async"``: one neuron at a time, a sweep visits all N in the
            given order. ``"sync"``: all neurons at once from the previous
            state; stops with ``cycled=True`` on a 2-cycle
            (``s(t+1) == s(t-1) != s(t)``). ``"glauber"``: asynchronous
            heat-bath updates at temperature ``T``.
        T : float
            Temperature >= 0, only for ``schedule="glauber"`` (``T = 0`` is the
            deterministic async rule).
        max_sweeps : int
            Maximum number of sweeps (>= 1).
        order : {"random", "sequential"}
            Visiting order of async/glauber sweeps: a fresh random
            permutation every sweep, or 0, 1, ..., N-1.
        seed : int, None or numpy.random.Generator
            Trial ``b`` draws from the SplitMix64 stream
            ``trial_states(seed, B)[b]``, so results do not depend on the
            number of threads. A Generator gives one integer seed from one
            draw (see ``hopfield._validate.as_seed``).
        record_energy : bool
            Keep the energy after every sweep in ``energy_trace``.
        device : {"cpu", "gpu"}, optional
            Where the dynamics run; None means ``$AMLAB_DEVICE``, else
            ``"cpu"`` (:func:`hopfield._device.resolve`). ``"gpu"`` runs one
            thread block per cue (:mod:`hopfield.kernels.cuda.classical`) for
            every rule, schedule and order. The Hebbian rule runs on the
            patterns kernel (exact integer fields and energies, whichever
            ``backend``); the pseudo-inverse and Storkey rules on the float64
            weights kernel, with the CPU's per-element operations in the CPU's
            order. For ``T = 0`` states, overlaps, sweeps, flags, energies and
            traces are bit-identical to ``"cpu"``; glauber at ``T > 0`` is
            bit-identical under Numba's CUDA simulator and statistically equal
            on a GPU, whose ``exp`` may differ from the host's in the last ulp.

        Returns
        -------
        RunResult
            ``sweeps`` counts sweeps performed, including the last one that
            found no change. Deterministic schedules stop at the first sweep
            without a change (``converged=True``). Glauber at ``T > 0`` always
            runs ``max_sweeps`` sweeps; ``converged`` then says whether the
            last sweep changed nothing.

        Notes
        -----
        The energy trace is updated by the exact difference of each flip
        (see :mod:`hopfield.kernels.classical`), never recomputed.
        """
        s = self._states(cues, "cues")
        S = np.array(s.reshape(-1, self.N), dtype=np.int8, order="C")  # (B, N) copy
        B = S.shape[0]
        code = SCHEDULES[as_choice(schedule, "schedule", tuple(SCHEDULES))]
        T = as_float(T, "T", minimum=0.0)
        if T > 0.0 and code != _k.GLAUBER:
            raise ValueError(f"T > 0 needs schedule='glauber', got T={T} with schedule={schedule!r}")
        max_sweeps = as_int(max_sweeps, "max_sweeps", minimum=1)
        sequential = as_choice(order, "order", ORDERS) == "sequential"
        seed = as_seed(seed)
        if not isinstance(record_energy, (bool, np.bool_)):
            raise TypeError(f"record_energy must be a bool, got {record_energy!r}")
        device = resolve(device)
        if device == "gpu":
            cuda()  # a one-line DeviceUnavailableError before any work
        n_trace = max_sweeps + 1 if record_energy else 0
        check_memory(B * n_trace * 8, "energy_trace (B x (max_sweeps + 1) float64)", "lower max_sweeps or B")
        check_memory(B * max(self.N, self.P) * 8, "work arrays (B x N)")

        seeds = trial_states(seed, B)
        trace = np.full((B, n_trace), np.nan)
        converged = np.zeros(B, np.bool_)
        sweeps = np.zeros(B, np.int64)
        cycled = np.zeros(B, np.bool_)
        energies = np.zeros(B, np.float64)
        serial = B == 1  # one trial: skip the parallel region's start-up cost
        if device == "gpu":  # Hebbian: the patterns kernel, the same integers N h_i as either CPU backend
            backend = "patterns" if self.rule == "hebbian" else "weights"
        else:
            backend = self._run_backend(B)
        if device == "gpu":
            from hopfield.kernels.cuda import classical as _gk

            if backend == "patterns":
                c = 0 if self.keep_diagonal else self.P
                S, Mw, trace, converged, sweeps, cycled, energies = _gk.run_patterns(
                    self._xiT, c, self.P - c, S, seeds, code, T, 1.0 / self.N, 2.0 * self.N, max_sweeps,
                    sequential, bool(record_energy))
            else:  # float64 W (pseudo-inverse, Storkey)
                W = self._W
                S, _, trace, converged, sweeps, cycled, energies = _gk.run_weights(
                    W, np.ascontiguousarray(np.diag(W)), S, seeds, code, T, 1.0, 2.0, max_sweeps, sequential,
                    bool(record_energy))
        elif backend == "patterns":
            c = 0 if self.keep_diagonal else self.P
            Mw = np.zeros((B, self.P), np.int64)
            kernel = _k.run_patterns_serial if serial else _k.run_patterns
            kernel(self._xiT, c, self.P - c, S, seeds, code, T, 1.0 / self.N, 2.0 * self.N,
                   max_sweeps, sequential, bool(record_energy), Mw, trace,
                   converged, sweeps, cycled, energies)
        else:
            W = self._W
            integer = W.dtype.kind == "i"
            H = np.zeros((B, self.N), np.int64 if integer else np.float64)
            scale = 1.0 / self.N if integer else 1.0
            eden = 2.0 * self.N if integer else 2.0
            kernel = _k.run_weights_serial if serial else _k.run_weights
            kernel(W, np.ascontiguousarray(np.diag(W)), S, seeds, code, T, scale, eden,
                   max_sweeps, sequential, bool(record_energy), H, trace,
                   converged, sweeps, cycled, energies)
        if backend == "patterns":
            m = Mw / self.N  # the kernel's overlaps xi^mu . s, exact integers: (B, P)
        else:  # S and the patterns are validated +-1 already; exact integer products in float64
            m = (S.astype(np.float64) @ self._patterns_f64().T) / self.N  # (B, P)
        return RunResult(
            states=S,
            converged=converged,
            sweeps=sweeps,
            cycled=cycled,
            energies=energies,
            overlaps=m,
            energy_trace=trace if record_energy else None,
        )

    def __repr__(self) -> str:
        return (f"ClassicalHopfield(N={self.N}, P={self.P}, rule={self.rule!r}, "
                f"keep_diagonal={self.keep_diagonal}, backend={self.backend!r})")
