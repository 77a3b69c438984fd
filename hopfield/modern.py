"""Modern (continuous, softmax) Hopfield network of Ramsauer et al. (2021)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from types import ModuleType
from scipy.special import logsumexp

from hopfield import _validate as V
from hopfield import _xp


#: Bytes of one chunk of attention scores (queries x patterns) in ``update`` and
#: ``energy``: larger batches are processed in chunks of queries, so memory stays
#: bounded and the softmax passes run in cache.
CHUNK_BYTES = 4 * 2**20
DTYPES = (np.float32, np.float64)


def _as_patterns(X, name: str = "X", dtype=None) -> np.ndarray:
    """``X`` as a C-contiguous float array: float32 stays float32, else float64 (or ``dtype``)."""
    if dtype is not None and not any(dtype is t or dtype == np.dtype(t) for t in DTYPES):
        raise TypeError(f"dtype must be numpy.float32, numpy.float64 or None, got {dtype!r}")
    if dtype is None:
        dtype = np.float32 if getattr(X, "dtype", None) == np.float32 else np.float64
    try:
        arr = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a real array of shape (N_patterns, d), got {type(X).__name__}") from exc
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (N_patterns, d), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    return np.ascontiguousarray(arr)


def softmax_rows_inplace(S: np.ndarray, beta: float, xp: ModuleType = np) -> np.ndarray:
    """``S <- softmax(beta S)`` row by row, in place (no temporary of the size of ``S``).

    The same operations as ``scipy.special.softmax(beta * S, axis=1)`` in the
    same order (scale, subtract the row maximum, exponentiate, divide by the
    row sum), so the result is bit-identical to it in either precision.

    Parameters
    ----------
    S : ndarray of shape (B, N), float32 or float64, C-contiguous; overwritten
    beta : float > 0
    xp : module
        The array module of ``S`` (numpy, or CuPy for a GPU array).

    Returns
    -------
    ndarray
        ``S`` itself.

    Examples
    --------
    >>> S = np.array([[0.0, np.log(3.0)]])
    >>> softmax_rows_inplace(S, 1.0).round(6).tolist()
    [[0.25, 0.75]]
    """
    S *= S.dtype.type(beta)
    S -= S.max(axis=1, keepdims=True)
    xp.exp(S, out=S)
    S /= S.sum(axis=1, keepdims=True)
    return S


#: Smallest number of score entries a thread takes in the softmax (below it, one thread).
SOFTMAX_MIN_ENTRIES_PER_THREAD = 2**16


def _softmax_threads(S: np.ndarray, beta: float) -> np.ndarray:
    """:func:`softmax_rows_inplace` over blocks of rows on ``numba.get_num_threads()`` threads.

    The matrix products use every BLAS thread, the softmax's numpy passes only
    one; numpy releases the GIL in them, so blocks of rows run side by side.
    Every row goes through the same operations as in one call, so the result
    is bit-identical for any number of threads.
    """
    from hopfield.kernels.threads import _pool, numba

    threads = min(numba.get_num_threads(), S.shape[0], max(1, S.size // SOFTMAX_MIN_ENTRIES_PER_THREAD))
    if threads <= 1:
        return softmax_rows_inplace(S, beta)
    bounds = [S.shape[0] * k // threads for k in range(threads + 1)]
    futures = [_pool(threads).submit(softmax_rows_inplace, S[bounds[k]:bounds[k + 1]], beta)
               for k in range(threads)]
    for f in futures:
        f.result()
    return S


def separation(X: npt.ArrayLike) -> np.ndarray:
    """Separation ``Delta_i = min_{j != i} (x_i . x_i - x_i . x_j)`` of each pattern.

    Parameters
    ----------
    X : array_like of shape (N_patterns, d), float
        Patterns as rows; at least two.

    Returns
    -------
    ndarray of shape (N_patterns,), float64

    References
    ----------
    H. Ramsauer et al., "Hopfield Networks is All You Need", ICLR 2021,
    arXiv:2008.02217, the separation Delta_i of Sec. 2 (retrieval theorems).

    Examples
    --------
    >>> separation([[1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]).tolist()
    [1.0, 1.0, 1.0]
    """
    X = _as_patterns(X, dtype=np.float64)
    if X.shape[0] < 2:
        raise ValueError(f"X must hold at least 2 patterns for a separation, got shape {X.shape}")
    G = X @ X.T  # (N, N)
    diag = np.diag(G).copy()
    np.fill_diagonal(G, -np.inf)
    return diag - G.max(axis=1)


class ModernHopfield:
    """Continuous Hopfield network with the log-sum-exp energy (attention update).

    Parameters
    ----------
    X : array_like of shape (N_patterns, d), float
        Stored patterns ``x_i`` as ROWS.
    beta : float > 0
        Inverse temperature.
    dtype : {None, numpy.float32, numpy.float64}
        Precision of the patterns and of every computation. ``None``: float32
        patterns stay float32, anything else becomes float64. Queries are cast
        to this precision; results come back in it.

    Notes
    -----
    With ``lse(beta, z) = beta^-1 log sum_i exp(beta z_i)`` and
    ``M = max_i ||x_i||`` the energy (Ramsauer et al., Sec. 2) is

        E(xi) = -lse(beta, X xi) + xi . xi / 2 + beta^-1 log N + M^2 / 2,

    and the update ``xi_new = X^T softmax(beta X xi)`` (same section), one
    attention step. It is a concave-convex procedure, so ``E`` never increases
    along the iteration (their Theorems 1-2). ``0 <= E`` always and ``E <= 2 M^2``
    inside the convex hull of the patterns. The softmax is computed stably
    (shifted by its maximum) in place, and the BLAS does the products; a batch
    of queries is processed in chunks of at most ``CHUNK_BYTES`` of scores, so
    one update costs about the two matrix products it consists of and its
    memory does not grow with the batch beyond the (B, d) result.

    ``device="gpu"`` on :meth:`update`, :meth:`retrieve` and :meth:`energy` runs
    the same formulas with CuPy (the patterns are copied to the GPU once and
    kept there); results come back as numpy arrays in the model's dtype. They
    agree with the CPU to rounding: per entry of an update, within
    ``2 (2 beta max_i gamma_d (|xi| . |x_i|) + 2 gamma_{N+4}) sum_i p_i |x_i|``
    (``p`` the softmax, ``gamma_n = n u / (1 - n u)``, ``u`` the dtype's unit
    roundoff; ``tests/test_gpu_float.py`` states the argument and tests it).

    References
    ----------
    H. Ramsauer et al., "Hopfield Networks is All You Need", ICLR 2021,
    arXiv:2008.02217.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(5, 64))
    >>> net = ModernHopfield(X, beta=2.0)
    >>> xi = X[3] + 0.3 * np.random.default_rng(1).normal(size=64)
    >>> out = net.retrieve(xi, max_steps=3)
    >>> bool(np.allclose(out, X[3], atol=1e-6))
    True
    """

    def __init__(self, X: npt.ArrayLike, beta: float, dtype: npt.DTypeLike | None = None) -> None:
        self.X = _as_patterns(X, dtype=dtype)
        self.beta = V.as_float(beta, "beta", minimum=0.0, strict=True)
        self.N, self.d = self.X.shape
        self.M = float(np.max(np.linalg.norm(self.X.astype(np.float64), axis=1)))

    def __repr__(self) -> str:
        return f"ModernHopfield(N={self.N}, d={self.d}, beta={self.beta})"

    def _query(self, xi, name: str = "xi") -> tuple[np.ndarray, bool]:
        try:
            arr = np.asarray(xi, dtype=self.X.dtype)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a real array of shape (d,) or (B, d), got {type(xi).__name__}") from exc
        if arr.ndim not in (1, 2) or arr.shape[-1] != self.d:
            raise ValueError(f"{name} must have shape (d,) or (B, d) with d = {self.d}, got shape {arr.shape}")
        if arr.size == 0:
            raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite entries")
        single = arr.ndim == 1
        return (arr.reshape(1, -1) if single else arr), single

    def _chunk(self) -> int:
        """Queries per chunk: (chunk, N) scores fill at most ``CHUNK_BYTES``."""
        return max(1, CHUNK_BYTES // (self.N * self.X.itemsize))

    def _device_patterns(self, xp):
        """The patterns on ``xp``'s device, copied once per array module."""
        if xp is np:
            return self.X
        cached = getattr(self, "_on_device", None)
        if cached is None or cached[0] is not xp:
            self._on_device = (xp, _xp.to_device(xp, self.X))
        return self._on_device[1]

    def energy(self, xi: npt.ArrayLike, *, device: str | None = None) -> float | np.ndarray:
        """Energy of a state (d,) -> float, or of a batch (B, d) -> ndarray (B,) in the model's dtype.

        ``device`` : {None, "cpu", "gpu"}, where it runs (None: ``$AMLAB_DEVICE``, else "cpu").
        """
        dev, xp = _xp.select(device)
        q, single = self._query(xi)
        if dev == "gpu":
            e = _xp.to_host(self._energy_xp(xp, _xp.to_device(xp, q)))
            return float(e[0]) if single else e
        B, c = q.shape[0], self._chunk()
        lse = np.empty(B, dtype=self.X.dtype)
        for start in range(0, B, c):
            z = q[start:start + c] @ self.X.T  # (chunk, N)
            z *= z.dtype.type(self.beta)
            lse[start:start + c] = logsumexp(z, axis=1)
        e = (
            -lse / self.beta
            + 0.5 * np.einsum("bd,bd->b", q, q)
            + float(np.log(self.N)) / self.beta
            + 0.5 * self.M**2
        )
        return float(e[0]) if single else e

    def _energy_xp(self, xp, q):
        """:meth:`energy` of a (B, d) batch on ``xp``'s device: the log-sum-exp shifted by its row maximum."""
        X = self._device_patterns(xp)
        B, c = q.shape[0], self._chunk()
        lse = xp.empty(B, dtype=self.X.dtype)
        for start in range(0, B, c):
            z = q[start:start + c] @ X.T  # (chunk, N)
            z *= z.dtype.type(self.beta)
            top = z.max(axis=1, keepdims=True)
            z -= top
            xp.exp(z, out=z)
            lse[start:start + c] = top[:, 0] + xp.log(z.sum(axis=1))
        return (-lse / self.beta + 0.5 * (q * q).sum(axis=1)
                + float(np.log(self.N)) / self.beta + 0.5 * self.M**2).astype(self.X.dtype, copy=False)

    def _step(self, q: np.ndarray) -> np.ndarray:
        out = np.empty_like(q)  # (B, d)
        c = self._chunk()
        for start in range(0, q.shape[0], c):
            S = q[start:start + c] @ self.X.T  # (chunk, N) scores
            _softmax_threads(S, self.beta)
            np.matmul(S, self.X, out=out[start:start + c])  # (chunk, d)
        return out

    def _step_xp(self, xp, q):
        """One update of a (B, d) batch on ``xp``'s device (the GPU path; numpy under the simulator)."""
        X = self._device_patterns(xp)
        out = xp.empty_like(q)  # (B, d)
        c = self._chunk()
        for start in range(0, q.shape[0], c):
            S = q[start:start + c] @ X.T  # (chunk, N) scores
            softmax_rows_inplace(S, self.beta, xp)
            xp.matmul(S, X, out=out[start:start + c])  # (chunk, d)
        return out

    def update(self, xi: npt.ArrayLike, *, device: str | None = None) -> np.ndarray:
        """One step ``X^T softmax(beta X xi)``; same shape as ``xi``.

        Parameters
        ----------
        xi : array_like of shape (d,) or (B, d)
        device : {None, "cpu", "gpu"}
            Where it runs (None: ``$AMLAB_DEVICE``, else "cpu"); the result is a numpy array either way.
        """
        dev, xp = _xp.select(device)
        q, single = self._query(xi)
        out = self._step(q) if dev == "cpu" else _xp.to_host(self._step_xp(xp, _xp.to_device(xp, q)))
        return out[0] if single else out

    def retrieve(self, xi: npt.ArrayLike, max_steps: int = 1, tol: float = 0.0, *,
                 device: str | None = None) -> np.ndarray:
        """Iterate ``update`` until ``max |xi_new - xi| <= tol`` (per row) or ``max_steps``.

        Parameters
        ----------
        xi : array_like of shape (d,) or (B, d)
        max_steps : int >= 1
        tol : float >= 0
            A row stops once one step changes none of its entries by more than ``tol``.
        device : {None, "cpu", "gpu"}
            Where it runs (None: ``$AMLAB_DEVICE``, else "cpu"); on the GPU the
            whole iteration stays there and only the result comes back.

        Returns
        -------
        ndarray, same shape as ``xi``, in the model's dtype
        """
        dev, xp = _xp.select(device)
        q, single = self._query(xi)
        max_steps = V.as_int(max_steps, "max_steps", minimum=1)
        tol = V.as_float(tol, "tol", minimum=0.0)
        if dev == "cpu":
            xp, step = np, self._step
        else:
            step = lambda rows: self._step_xp(xp, rows)  # noqa: E731
        q = _xp.to_device(xp, q).copy()
        active = xp.arange(q.shape[0])
        for _ in range(max_steps):
            new = step(q[active])
            moved = xp.max(xp.abs(new - q[active]), axis=1) > tol
            q[active] = new
            active = active[moved]
            if active.size == 0:
                break
        q = _xp.to_host(q)
        return q[0] if single else q
