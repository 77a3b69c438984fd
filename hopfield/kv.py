"""Key-value associative memories: Hebbian (linear attention), delta rule, softmax attention.

Three memories share one interface: ``write(keys, values)`` stores a batch of
pairs, ``read(queries)`` returns value estimates and ``recall(queries,
candidates)`` the index of the best-scoring candidate value. Keys ``k`` have
``d_k`` entries, values ``v`` have ``d_v``; arrays are float32 or float64 and stay
in the dtype the memory was made with.

* :class:`HebbianMemory`: ``W = sum_i v_i k_i^T`` (linear attention without
  normalisation, a fast-weight memory), or with ``normalize=True`` the form of
  Katharopoulos et al. (2020) with a positive feature map ``phi`` and the running
  key sum ``z = sum_i phi(k_i)``: ``read(q) = W phi(q) / (z . phi(q))``.
* :class:`DeltaMemory`: ``W <- lam W + eta (v - lam W k) k^T`` (the delta rule of
  fast-weight programmers and DeltaNet; ``lam < 1`` is a decay gate).
* :class:`SoftmaxMemory`: keeps every pair; ``read(q) = V^T softmax(beta K q)``,
  one head of softmax attention (the hetero-associative modern Hopfield update).

:func:`stream` runs the causal (recurrent) form over a batch of sequences: at
each position write the current pair, then read the current query.
:func:`causal_attention` is the parallel masked-matmul form of the same thing.
:func:`stream` also runs the memories written at every step with forgetting
(``FORGETTING_RULES``): scalar decay (RetNet, Mamba-2), a per-step scalar gate
(GLA-style), the gated delta rule (Gated DeltaNet), Titans' momentum and weight
decay on ``|W k - v|^2 / 2``, and Longhorn's implicit online-regression step;
their recall versus age is ``theory.forgetting``.

``device="gpu"`` on the reads (``read``, ``recall``, :func:`softmax_read`) and
on :func:`stream` runs the same formulas with CuPy's matrix products (the
formulas are written once, generic in the array module; under Numba's CUDA
simulator that module is numpy, which is how the tests run them); results
come back as numpy arrays in the memory's dtype, equal to the CPU's to the
rounding bounds stated in ``tests/test_gpu_float.py``. Writes stay on the CPU.

References
----------
A. Katharopoulos, A. Vyas, N. Pappas, F. Fleuret, "Transformers are RNNs: fast
autoregressive transformers with linear attention", ICML 2020, arXiv:2006.16236.
I. Schlag, K. Irie, J. Schmidhuber, "Linear transformers are secretly fast weight
programmers", ICML 2021, arXiv:2102.11174.
S. Yang, B. Wang, Y. Zhang, Y. Shen, Y. Kim, "Parallelizing linear transformers with
the delta rule over sequence length", NeurIPS 2024, arXiv:2406.06484.
H. Ramsauer et al., "Hopfield networks is all you need", ICLR 2021, arXiv:2008.02217.
V. Cabannes, E. Dohmatob, A. Bietti, "Scaling laws for associative memories",
ICLR 2024, arXiv:2310.02984 (Zipf-distributed tokens).
Y. Sun et al., "Retentive network: a successor to Transformer for large language
models", arXiv:2307.08621 (2023). T. Dao, A. Gu, "Transformers are SSMs", ICML 2024,
arXiv:2405.21060 (Mamba-2). S. Yang, B. Wang, Y. Shen, R. Panda, Y. Kim, "Gated linear
attention transformers with hardware-efficient training", ICML 2024, arXiv:2312.06635.
S. Yang, J. Kautz, A. Hatamizadeh, "Gated delta networks: improving Mamba2 with delta
rule", ICLR 2025, arXiv:2412.06464. A. Behrouz, P. Zhong, V. Mirrokni, "Titans: learning
to memorize at test time", arXiv:2501.00663 (2024). B. Liu et al., "Longhorn: state space
models are amortized online learners", arXiv:2407.14207 (2024).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from types import ModuleType

from hopfield import _validate as V
from hopfield import _xp
from hopfield.kernels import kv as _k

__all__ = [
    "HebbianMemory",
    "DeltaMemory",
    "SoftmaxMemory",
    "sample_embeddings",
    "zipf_probabilities",
    "sample_zipf",
    "stream",
    "causal_attention",
    "softmax_read",
]

DTYPES = {"float32": np.float32, "float64": np.float64}
EMBEDDINGS = ("gaussian", "rademacher", "orthonormal")


def _as_dtype(dtype) -> type:
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from exc
    if dt.name not in DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dt.name}")
    return DTYPES[dt.name]


def _as_rows(x, name: str, dim: int, dtype, ndim=(1, 2)) -> tuple[np.ndarray, bool]:
    """``x`` as a C-contiguous ``(n, dim)`` array of ``dtype`` (a 1-D input is one row)."""
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be a real array, got {type(x).__name__}") from exc
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must be a real (integer or float) array, got dtype {arr.dtype}")
    if arr.ndim not in ndim or arr.shape[-1] != dim:
        shapes = " or ".join({1: f"({dim},)", 2: f"(n, {dim})", 3: f"(S, L, {dim})"}[n] for n in ndim)
        raise ValueError(f"{name} must have shape {shapes}, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    single = arr.ndim == 1
    return np.ascontiguousarray(arr.reshape(1, -1) if single else arr, dtype=dtype), single


def elu1(x: np.ndarray, xp: ModuleType = np) -> np.ndarray:
    """The positive feature map ``phi(x) = elu(x) + 1`` of Katharopoulos et al. (2020), elementwise.

    ``xp`` is the array module of ``x`` (numpy, or CuPy for a GPU array).
    """
    return xp.where(x > 0, x + 1, xp.exp(xp.minimum(x, 0))).astype(x.dtype, copy=False)


class KeyValueMemory:
    """Shared interface of the key-value memories (not used directly).

    Parameters
    ----------
    d_k : int >= 1
        Key (and query) dimension.
    d_v : int >= 1, optional
        Value dimension (default ``d_k``).
    dtype : {"float64", "float32"}
        Dtype of the state and of every array returned.
    """

    def __init__(self, d_k: int, d_v: int | None = None, *, dtype: npt.DTypeLike = "float64") -> None:
        self.d_k = V.as_int(d_k, "d_k", minimum=1)
        self.d_v = self.d_k if d_v is None else V.as_int(d_v, "d_v", minimum=1)
        self.dtype = _as_dtype(dtype)
        self.n_stored = 0
        self.reset()

    def reset(self) -> None:  # pragma: no cover - overridden
        """Forget every stored pair."""
        raise NotImplementedError

    def _pairs(self, keys, values):
        K, _ = _as_rows(keys, "keys", self.d_k, self.dtype)
        Vv, _ = _as_rows(values, "values", self.d_v, self.dtype)
        if K.shape[0] != Vv.shape[0]:
            raise ValueError(f"keys and values must hold the same number of pairs, got {K.shape[0]} keys "
                             f"and {Vv.shape[0]} values")
        return K, Vv

    def _queries(self, queries):
        if self.n_stored == 0:
            raise ValueError(f"{type(self).__name__} is empty: write at least one (key, value) pair before reading")
        return _as_rows(queries, "queries", self.d_k, self.dtype)

    def write(self, keys: npt.ArrayLike, values: npt.ArrayLike) -> KeyValueMemory:  # pragma: no cover - overridden
        """Store pairs: ``keys`` (M, d_k) or (d_k,), ``values`` (M, d_v) or (d_v,). Returns ``self``."""
        raise NotImplementedError

    def _read(self, Q: np.ndarray, xp: ModuleType = np) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def _on(self, xp, name: str):
        """The state array ``name`` on ``xp``'s device (copied once per state: writes and resets drop the copies)."""
        arr = getattr(self, name)
        if xp is np:
            return arr
        cache = self.__dict__.setdefault("_device_cache", {})
        key = (id(xp), name, self.n_stored, id(arr))
        if key not in cache:
            if len(cache) > 8:
                cache.clear()
            cache[key] = _xp.to_device(xp, arr)
        return cache[key]

    def read(self, queries: npt.ArrayLike, *, device: str | None = None) -> np.ndarray:
        """Value estimates: ``queries`` (B, d_k) -> (B, d_v), or (d_k,) -> (d_v,), in the memory's dtype.

        ``device`` : {None, "cpu", "gpu"}, where the read runs (None: ``$AMLAB_DEVICE``, else "cpu").
        """
        dev, xp = _xp.select(device)
        Q, single = self._queries(queries)
        out = _xp.to_host(self._read(_xp.to_device(xp, Q), xp))
        return out[0] if single else out

    def recall(self, queries: npt.ArrayLike, candidates: npt.ArrayLike, *, device: str | None = None) -> np.ndarray:
        """Index of the candidate value with the largest score ``c . read(q)``.

        Parameters
        ----------
        queries : array_like of shape (B, d_k) or (d_k,)
        candidates : array_like of shape (C, d_v)
            The candidate values (e.g. every value embedding of a vocabulary).
        device : {None, "cpu", "gpu"}
            Where it runs (None: ``$AMLAB_DEVICE``, else "cpu").

        Returns
        -------
        ndarray of shape (B,), int64 (or an int for one query)
        """
        dev, xp = _xp.select(device)
        Q, single = self._queries(queries)
        C, _ = _as_rows(candidates, "candidates", self.d_v, self.dtype, ndim=(2,))
        Q, C = _xp.to_device(xp, Q), _xp.to_device(xp, C)
        idx = _xp.to_host(xp.argmax(self._read(Q, xp) @ C.T, axis=1)).astype(np.int64, copy=False)  # (B,)
        return int(idx[0]) if single else idx

    @property
    def state_size(self) -> int:  # pragma: no cover - overridden
        """Number of floats the memory holds."""
        raise NotImplementedError


class HebbianMemory(KeyValueMemory):
    """Outer-product memory ``W = sum_i v_i phi(k_i)^T``: linear attention as a fast-weight matrix.

    Parameters
    ----------
    d_k, d_v, dtype
        As in :class:`KeyValueMemory`.
    normalize : bool
        Divide the read by ``z . phi(q)`` with the running key sum ``z = sum_i phi(k_i)``
        (Katharopoulos et al. 2020). Needs a positive feature map.
    feature_map : {None, "elu+1"}
        ``phi``: identity (default; then ``normalize`` must be False) or ``elu(x) + 1``.

    Notes
    -----
    With ``phi`` the identity, ``read(k_j) = sum_i v_i (k_i . k_j)``: the stored value
    plus crosstalk, whose moments are ``theory.kv_memory.readout_moments``. The state
    is ``d_v d_k`` floats (plus ``d_k`` for ``z``) whatever the number of pairs.

    References
    ----------
    A. Katharopoulos et al., ICML 2020, arXiv:2006.16236, Eqs. 4-6 (linear attention
    and its recurrent form). V. Cabannes, E. Dohmatob, A. Bietti, ICLR 2024,
    arXiv:2310.02984 (the outer-product memory).

    Examples
    --------
    >>> import numpy as np
    >>> K = np.eye(4)[:3]
    >>> mem = HebbianMemory(4).write(K, 2 * K)
    >>> mem.read(K[1]).tolist()
    [0.0, 2.0, 0.0, 0.0]
    >>> int(mem.recall(K[2], candidates=K))
    2
    """

    def __init__(self, d_k: int, d_v: int | None = None, *, normalize: bool = False, feature_map: str | None = None,
                 dtype: npt.DTypeLike = "float64") -> None:
        if not isinstance(normalize, (bool, np.bool_)):
            raise TypeError(f"normalize must be True or False, got {normalize!r}")
        if feature_map is not None:
            V.as_choice(feature_map, "feature_map", ("elu+1",))
        if normalize and feature_map is None:
            raise ValueError("normalize=True needs a positive feature map (feature_map='elu+1'); got feature_map=None")
        self.normalize, self.feature_map = bool(normalize), feature_map
        super().__init__(d_k, d_v, dtype=dtype)

    def __repr__(self) -> str:
        return (f"HebbianMemory(d_k={self.d_k}, d_v={self.d_v}, normalize={self.normalize}, "
                f"feature_map={self.feature_map!r}, n_stored={self.n_stored})")

    def reset(self) -> None:
        self.W = np.zeros((self.d_v, self.d_k), dtype=self.dtype)  # (d_v, d_k)
        self.z = np.zeros(self.d_k, dtype=self.dtype)
        self.n_stored = 0

    def _phi(self, X, xp: ModuleType = np):
        return X if self.feature_map is None else elu1(X, xp)

    def write(self, keys: npt.ArrayLike, values: npt.ArrayLike) -> HebbianMemory:
        """Add ``sum_i v_i phi(k_i)^T`` to ``W`` (and ``sum_i phi(k_i)`` to ``z``). Returns ``self``."""
        K, Vv = self._pairs(keys, values)
        F = self._phi(K)
        self.W += Vv.T @ F
        self.z += F.sum(axis=0)
        self.n_stored += K.shape[0]
        return self

    def _read(self, Q, xp: ModuleType = np):
        F = self._phi(Q, xp)
        out = F @ self._on(xp, "W").T  # (B, d_v)
        if self.normalize:
            den = F @ self._on(xp, "z")
            out /= xp.where(den == 0, 1, den)[:, None]
        return out

    @property
    def state_size(self) -> int:
        return self.d_v * self.d_k + (self.d_k if self.normalize else 0)


class DeltaMemory(KeyValueMemory):
    """Delta-rule memory: each write corrects the current read, ``W <- lam W + eta (v - lam W k) k^T``.

    Parameters
    ----------
    d_k, d_v, dtype
        As in :class:`KeyValueMemory`.
    eta : float or None
        Learning rate. A float must satisfy ``0 < eta <= 2 / |k|^2`` for every key
        written (beyond it the correction overshoots and ``W`` diverges; such a
        write is refused with ``ValueError`` before ``W`` changes). ``None`` uses
        ``eta_i = 1/|k_i|^2`` per key (the normalised delta rule: after a write,
        ``W k_i = v_i`` exactly when ``lam = 1``).
    decay : float in (0, 1]
        The gate ``lam`` (1: no decay, the plain delta rule).

    Notes
    -----
    For ``M <= d_k`` linearly independent keys, repeated passes with ``lam = 1`` and
    a valid ``eta`` converge from ``W = 0`` to the projection solution
    ``W = V^T (K^T)^+`` (``W k_i = v_i`` for every ``i``; ``amlab derive kv-delta-fixed-point``).

    References
    ----------
    I. Schlag, K. Irie, J. Schmidhuber, ICML 2021, arXiv:2102.11174, Sec. 4 (the
    delta-rule update of fast weights). S. Yang et al., NeurIPS 2024,
    arXiv:2406.06484 (DeltaNet). B. Widrow, M. E. Hoff, "Adaptive switching
    circuits", 1960 (the delta rule).

    Examples
    --------
    >>> import numpy as np
    >>> K = np.random.default_rng(0).normal(size=(3, 8))
    >>> Vv = np.random.default_rng(1).normal(size=(3, 2))
    >>> mem = DeltaMemory(8, 2, eta=None).write(K, Vv, passes=200)
    >>> bool(np.allclose(mem.read(K), Vv))
    True
    """

    def __init__(self, d_k: int, d_v: int | None = None, *, eta: float | None = None, decay: float = 1.0,
                 dtype: npt.DTypeLike = "float64") -> None:
        self.eta = None if eta is None else V.as_float(eta, "eta", minimum=0.0, strict=True)
        self.decay = V.as_float(decay, "decay", minimum=0.0, strict=True)
        if self.decay > 1.0:
            raise ValueError(f"decay must be in (0, 1], got {self.decay}")
        super().__init__(d_k, d_v, dtype=dtype)

    def __repr__(self) -> str:
        return f"DeltaMemory(d_k={self.d_k}, d_v={self.d_v}, eta={self.eta}, decay={self.decay}, n_stored={self.n_stored})"

    def reset(self) -> None:
        self.W = np.zeros((self.d_v, self.d_k), dtype=self.dtype)  # (d_v, d_k)
        self.n_stored = 0

    def rates(self, K: np.ndarray) -> np.ndarray:
        """Per-key learning rates (M,), validated against ``0 < eta <= 2/|k|^2``."""
        sq = np.einsum("ij,ij->i", K, K, dtype=np.float64)
        if np.any(sq == 0):
            raise ValueError(f"keys must be non-zero for the delta rule; key {int(np.argmin(sq))} is the zero vector")
        if self.eta is None:
            return (1.0 / sq).astype(self.dtype)
        worst = int(np.argmax(sq))
        if self.eta * sq[worst] > 2.0 * (1 + 1e-6):
            raise ValueError(f"eta = {self.eta} exceeds 2/|k|^2 = {2.0 / sq[worst]:.6g} for key {worst}: the delta "
                             f"rule would diverge; expected 0 < eta <= 2/max|k|^2 (or eta=None for 1/|k|^2)")
        return np.full(K.shape[0], self.eta, dtype=self.dtype)

    def write(self, keys: npt.ArrayLike, values: npt.ArrayLike, passes: int = 1) -> DeltaMemory:
        """Apply the delta rule to the pairs in order, ``passes`` times. Returns ``self``."""
        K, Vv = self._pairs(keys, values)
        passes = V.as_int(passes, "passes", minimum=1)
        eta = self.rates(K)
        _k.delta_write(self.W, K, Vv, eta, self.dtype(self.decay), passes)
        self.n_stored += K.shape[0]
        return self

    def _read(self, Q, xp: ModuleType = np):
        return Q @ self._on(xp, "W").T

    @property
    def state_size(self) -> int:
        return self.d_v * self.d_k


def softmax_read(Q: np.ndarray, K: np.ndarray, Vv: np.ndarray, beta: float, chunk: int = 1024,
                 xp: ModuleType = np) -> np.ndarray:
    """``softmax(beta Q K^T) V`` row by row, in chunks of ``chunk`` queries, in the inputs' dtype.

    Parameters
    ----------
    Q : ndarray of shape (B, d_k); K : (P, d_k); Vv : (P, d_v); all of one float dtype.
    beta : float > 0
    chunk : int >= 1
        Queries per block; the scores take ``chunk * P`` floats.
    xp : module
        The array module of the inputs (numpy; CuPy for GPU arrays, the result then stays on the GPU).

    Returns
    -------
    ndarray of shape (B, d_v), dtype of ``Q``

    Notes
    -----
    Each block: scores ``S = Q_c K^T`` (one matrix product), ``S *= beta``, the row
    maximum subtracted in place, ``exp`` in place, ``S`` divided by its row sums, and
    ``S V`` (the second product). No float64 copies are made of float32 inputs.
    """
    B = Q.shape[0]
    out = xp.empty((B, Vv.shape[1]), dtype=Q.dtype)
    b = Q.dtype.type(beta)
    for s in range(0, B, chunk):
        S = Q[s:s + chunk] @ K.T  # (c, P)
        S *= b
        S -= S.max(axis=1, keepdims=True)
        xp.exp(S, out=S)
        S /= S.sum(axis=1, keepdims=True)
        xp.matmul(S, Vv, out=out[s:s + chunk])
    return out


class SoftmaxMemory(KeyValueMemory):
    """Softmax-attention memory: keeps every pair; ``read(q) = V^T softmax(beta K q)``.

    Parameters
    ----------
    d_k, d_v, dtype
        As in :class:`KeyValueMemory`.
    beta : float > 0
        Inverse temperature (``1/sqrt(d_k)`` in a transformer's scaled dot product).
    chunk : int >= 1
        Queries read per block (bounds the memory of the scores to ``chunk * P`` floats).

    Notes
    -----
    One head of softmax attention with keys ``K`` and values ``V``; with ``V = K``
    it is one update ``X^T softmax(beta X xi)`` of the modern Hopfield network
    (Ramsauer et al. 2021, Sec. 2). The state is ``P (d_k + d_v)`` floats for ``P``
    stored pairs.

    References
    ----------
    H. Ramsauer et al., "Hopfield networks is all you need", ICLR 2021, arXiv:2008.02217.
    A. Vaswani et al., "Attention is all you need", NeurIPS 2017, arXiv:1706.03762.

    Examples
    --------
    >>> import numpy as np
    >>> K = np.eye(3)
    >>> mem = SoftmaxMemory(3, 1, beta=50.0).write(K, [[1.0], [2.0], [3.0]])
    >>> np.round(mem.read(K), 6).ravel().tolist()
    [1.0, 2.0, 3.0]
    """

    def __init__(self, d_k: int, d_v: int | None = None, *, beta: float = 1.0, chunk: int = 1024,
                 dtype: npt.DTypeLike = "float64") -> None:
        self.beta = V.as_float(beta, "beta", minimum=0.0, strict=True)
        self.chunk = V.as_int(chunk, "chunk", minimum=1)
        super().__init__(d_k, d_v, dtype=dtype)

    def __repr__(self) -> str:
        return f"SoftmaxMemory(d_k={self.d_k}, d_v={self.d_v}, beta={self.beta}, n_stored={self.n_stored})"

    def reset(self) -> None:
        self.K = np.zeros((0, self.d_k), dtype=self.dtype)
        self.V = np.zeros((0, self.d_v), dtype=self.dtype)
        self.n_stored = 0

    def write(self, keys: npt.ArrayLike, values: npt.ArrayLike) -> SoftmaxMemory:
        """Append the pairs to the stored keys and values. Returns ``self``."""
        K, Vv = self._pairs(keys, values)
        self.K = np.ascontiguousarray(np.vstack([self.K, K]))
        self.V = np.ascontiguousarray(np.vstack([self.V, Vv]))
        self.n_stored += K.shape[0]
        return self

    def _read(self, Q, xp: ModuleType = np):
        return softmax_read(Q, self._on(xp, "K"), self._on(xp, "V"), self.beta, self.chunk, xp)

    @property
    def state_size(self) -> int:
        return self.n_stored * (self.d_k + self.d_v)


# ---------------------------------------------------------------- embeddings


def sample_embeddings(M: int, d: int, kind: str = "gaussian", rng: np.random.Generator | int | None = None,
                      dtype: npt.DTypeLike = "float64") -> np.ndarray:
    """``M`` random vectors in ``R^d`` as rows, of unit expected squared norm.

    Parameters
    ----------
    M, d : int >= 1
    kind : {"gaussian", "rademacher", "orthonormal"}
        i.i.d. ``N(0, I/d)``; i.i.d. ``+-1/sqrt(d)``; or orthonormal rows (``M <= d``,
        from the QR decomposition of a Gaussian matrix, Haar distributed).
    rng : numpy.random.Generator or int, optional
    dtype : {"float64", "float32"}

    Returns
    -------
    ndarray of shape (M, d)

    Examples
    --------
    >>> X = sample_embeddings(3, 5, "orthonormal", rng=0)
    >>> bool(np.allclose(X @ X.T, np.eye(3)))
    True
    """
    M, d = V.as_int(M, "M", minimum=1), V.as_int(d, "d", minimum=1)
    V.as_choice(kind, "kind", EMBEDDINGS)
    dt = _as_dtype(dtype)
    if kind == "orthonormal" and M > d:
        raise ValueError(f"orthonormal embeddings need M <= d, got M = {M} > d = {d}")
    V.check_memory(M * d * 8, "the embeddings", "lower M or d")
    rng = np.random.default_rng(rng)
    if kind == "gaussian":
        X = rng.standard_normal((M, d)) / np.sqrt(d)
    elif kind == "rademacher":
        X = (2.0 * rng.integers(0, 2, size=(M, d)) - 1.0) / np.sqrt(d)
    else:
        q, r = np.linalg.qr(rng.standard_normal((d, M)))
        X = (q * np.sign(np.diag(r))).T
    return np.ascontiguousarray(X, dtype=dt)


def zipf_probabilities(N: int, alpha: float) -> np.ndarray:
    """``p(x) = x^-alpha / sum_{y <= N} y^-alpha`` for ``x = 1..N`` (index ``x - 1``), float64 (N,).

    Examples
    --------
    >>> zipf_probabilities(3, 1.0).round(4).tolist()
    [0.5455, 0.2727, 0.1818]
    """
    N = V.as_int(N, "N", minimum=1)
    alpha = V.as_float(alpha, "alpha", minimum=0.0)
    p = np.arange(1, N + 1, dtype=np.float64) ** -alpha
    return p / p.sum()


def sample_zipf(n: int, N: int, alpha: float, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """``n`` tokens in ``0..N-1`` drawn i.i.d. with ``P(x) = zipf_probabilities(N, alpha)[x]``, int64 (n,).

    Examples
    --------
    >>> x = sample_zipf(10000, 100, 2.0, rng=0)
    >>> round(float(np.mean(x == 0)), 1)  # p(1) = 1/H(100, 2) = 0.61
    0.6
    """
    n = V.as_int(n, "n", minimum=1)
    p = zipf_probabilities(N, alpha)
    return np.random.default_rng(rng).choice(p.size, size=n, p=p)


# ---------------------------------------------------------------- sequences

RULES = ("linear", "normalized", "delta")
#: Rules written at every step with forgetting (:func:`stream`; CPU only).
FORGETTING_RULES = ("decay", "gla", "gated-delta", "titans", "longhorn")


def _sequences(keys, values, queries, dtype):
    """Validated (S, L, d) arrays of one dtype, and whether the input was one (L, d) sequence."""
    if dtype is not None:
        dt = _as_dtype(dtype)
    else:
        dt = np.float32 if getattr(keys, "dtype", None) == np.float32 else np.float64
    nd = np.ndim(keys)
    if nd not in (2, 3):
        raise ValueError(f"keys must have shape (S, L, d_k) or (L, d_k), got shape {np.shape(keys)}")
    if np.ndim(values) != nd or np.ndim(queries) != nd:
        raise ValueError(f"keys, values and queries must have the same number of dimensions, got shapes "
                         f"{np.shape(keys)}, {np.shape(values)}, {np.shape(queries)}")
    dk, dv = np.shape(keys)[-1], np.shape(values)[-1]
    K, _ = _as_rows(keys, "keys", dk, dt, ndim=(nd,))
    Vv, _ = _as_rows(values, "values", dv, dt, ndim=(nd,))
    Q, _ = _as_rows(queries, "queries", dk, dt, ndim=(nd,))
    if nd == 2:
        K, Vv, Q = K[None], Vv[None], Q[None]
    if Vv.shape[:2] != K.shape[:2] or Q.shape[:2] != K.shape[:2]:
        raise ValueError(f"keys, values and queries must share (S, L), got shapes {K.shape}, {Vv.shape}, {Q.shape}")
    return K, Vv, Q, nd == 2


def stream(keys: npt.ArrayLike, values: npt.ArrayLike, queries: npt.ArrayLike, rule: str = "linear", *,
           eta: float | npt.ArrayLike | None = None, decay: float | npt.ArrayLike = 1.0,
           gate: npt.ArrayLike | None = None, momentum: float = 0.0, dtype: npt.DTypeLike | None = None,
           device: str | None = None) -> np.ndarray:
    """Causal streaming over sequences: at each position write ``(k_t, v_t)``, then read ``q_t``.

    Parameters
    ----------
    keys, queries : array_like of shape (S, L, d_k) or (L, d_k)
    values : array_like of shape (S, L, d_v) or (L, d_v)
    rule : {"linear", "normalized", "delta", "decay", "gla", "gated-delta", "titans", "longhorn"}
        ``"linear"``: ``W_t = W_{t-1} + v_t k_t^T``, ``o_t = W_t q_t`` (causal linear
        attention, the recurrent form). ``"normalized"``: the same on ``phi(k)``,
        ``phi(q)`` with ``phi = elu + 1``, divided by ``z_t . phi(q_t)``.
        ``"delta"``: ``W_t = lam W_{t-1} + eta_t (v_t - lam W_{t-1} k_t) k_t^T``.
        The memories that forget (CPU only; every one reads ``o_t = W_t q_t`` after the write):
        ``"decay"``: ``W_t = lam W_{t-1} + v_t k_t^T`` (RetNet, Mamba-2 scalar decay);
        ``"gla"``: ``W_t = g_t W_{t-1} + v_t k_t^T`` with a per-step scalar gate ``g_t``
        (a data-dependent gate, GLA-style; GLA's per-key-channel gate is not built);
        ``"gated-delta"``: ``W_t = a_t W_{t-1} (I - b_t k_t k_t^T) + b_t v_t k_t^T``
        (Gated DeltaNet; ``a_t = decay``, ``b_t = eta``);
        ``"titans"``: ``S_t = momentum S_{t-1} - eta (W_{t-1} k_t - v_t) k_t^T``,
        ``W_t = decay W_{t-1} + S_t`` (Titans' momentum and weight decay ``alpha = 1 - decay``);
        ``"longhorn"``: ``W_t = W_{t-1} (I - eps_t k_t k_t^T) + eps_t v_t k_t^T`` with
        ``eps_t = eta_t / (1 + eta_t |k_t|^2)`` (Longhorn's implicit online-regression step).
    eta : float, array_like of shape (S, L) (or (L,)), or None
        Delta rule: as in :class:`DeltaMemory` (``None``: ``1/|k_t|^2``; zero
        keys are skipped: their rate is 0). Gated delta rule: the rates ``b_t > 0``
        (scalar or per step; ``None``: ``1/|k_t|^2``; ``b_t |k_t|^2 <= 2``). Titans: the
        step ``theta > 0`` (a float, required). Longhorn: ``beta_t > 0`` (scalar or per step,
        required).
    decay : float in (0, 1], or array_like of shape (S, L) (or (L,)) for "gated-delta"
        The retention factor of the old state: the gate ``lam`` (delta, decay), ``a_t``
        (gated-delta), ``1 - alpha`` (titans).
    gate : array_like of shape (S, L) (or (L,)) in (0, 1], or None
        ``"gla"`` only (required there): the per-step gates ``g_t``.
    momentum : float in [0, 1)
        ``"titans"`` only: ``eta_m``, the momentum of the surprise ``S``.
    dtype : {None, "float32", "float64"}
        Computation dtype; ``None`` keeps float32 keys float32, else float64.
    device : {None, "cpu", "gpu"}
        Where it runs (None: ``$AMLAB_DEVICE``, else "cpu"); the result is a numpy array either way.

    Returns
    -------
    ndarray of shape (S, L, d_v) (or (L, d_v))

    Notes
    -----
    On the CPU: one Numba kernel, parallel over sequences (``prange``); each
    sequence's state is ``d_v x d_k``. Equals :func:`causal_attention` for the
    linear and normalised rules (Katharopoulos et al. 2020, Sec. 3.4).
    On the GPU (:func:`_stream_hebbian_xp`, :func:`_stream_delta_xp`): the
    linear and normalised rules in the chunkwise form (within a chunk of
    ``STREAM_CHUNK`` positions the masked product ``tril(Q K^T) V``, across
    chunks the carried state ``W``: batched matrix products), the delta rule
    position by position, batched over the sequences.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(2, 5, 4))
    >>> bool(np.allclose(stream(X, X, X), causal_attention(X, X, X)))
    True
    """
    V.as_choice(rule, "rule", RULES + FORGETTING_RULES)
    dev, xp = _xp.select(device)
    if rule in FORGETTING_RULES or gate is not None or momentum != 0.0:
        return _stream_forgetting(keys, values, queries, rule, eta, decay, gate, momentum, dtype, dev)
    K, Vv, Q, single = _sequences(keys, values, queries, dtype)
    dt = K.dtype.type
    out = np.empty((K.shape[0], K.shape[1], Vv.shape[2]), dtype=dt) if dev == "cpu" else None
    if rule == "delta":
        lam = V.as_float(decay, "decay", minimum=0.0, strict=True)
        if lam > 1.0:
            raise ValueError(f"decay must be in (0, 1], got {lam}")
        sq = np.einsum("sld,sld->sl", K, K, dtype=np.float64)
        if eta is None:
            rates = np.where(sq > 0, 1.0 / np.where(sq > 0, sq, 1.0), 0.0)
        else:
            e = V.as_float(eta, "eta", minimum=0.0, strict=True)
            if e * sq.max() > 2.0 * (1 + 1e-6):
                raise ValueError(f"eta = {e} exceeds 2/max|k|^2 = {2.0 / sq.max():.6g}: the delta rule would diverge")
            rates = np.full(sq.shape, e)
        rates = np.ascontiguousarray(rates, dtype=dt)
        if dev == "cpu":
            _k.stream_delta(K, Vv, Q, rates, dt(lam), out)
        else:
            K, Vv, Q, rates = (_xp.to_device(xp, a) for a in (K, Vv, Q, rates))
            out = _xp.to_host(_stream_delta_xp(xp, K, Vv, Q, rates, dt(lam)))
    elif dev == "cpu":
        if rule == "normalized":
            K, Q = elu1(K), elu1(Q)
        _k.stream_hebbian(K, Vv, Q, rule == "normalized", out)
    else:
        K, Vv, Q = (_xp.to_device(xp, a) for a in (K, Vv, Q))
        if rule == "normalized":
            K, Q = elu1(K, xp), elu1(Q, xp)
        out = _xp.to_host(_stream_hebbian_xp(xp, K, Vv, Q, rule == "normalized"))
    return out[0] if single else out


def _per_step(x, name: str, SL: tuple, single: bool, dt, upper: float | None) -> np.ndarray:
    """``x`` (a scalar, or one value per position) as a C-contiguous ``(S, L)`` array of ``dt``.

    Every entry must be finite and ``> 0`` (and ``<= upper`` when given); a single
    sequence takes ``(L,)``, a batch ``(S, L)``.
    """
    if isinstance(x, (bool, np.bool_)) or x is None:
        raise TypeError(f"{name} must be a real number or an array of shape {SL}, got {x!r}")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be a real number or array, got {type(x).__name__}") from exc
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must be real (integer or float), got dtype {arr.dtype}")
    want = SL[1:] if single else SL
    if arr.ndim != 0 and arr.shape != want:
        raise ValueError(f"{name} must be a scalar or have shape {want}, got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0) or (upper is not None and np.any(arr > upper)):
        rng = f"(0, {upper:g}]" if upper is not None else "(0, inf)"
        raise ValueError(f"{name} must lie in {rng} at every position, got values in "
                         f"[{arr.min():.6g}, {arr.max():.6g}]")
    return np.ascontiguousarray(np.broadcast_to(arr, SL), dtype=dt)


def _stream_forgetting(keys, values, queries, rule, eta, decay, gate, momentum, dtype, dev):
    """:func:`stream` for the rules written with forgetting (``FORGETTING_RULES``): validation, then the kernel."""
    if rule not in FORGETTING_RULES:
        raise ValueError(f"gate and momentum belong to the rules {FORGETTING_RULES}, not to rule={rule!r}")
    if dev != "cpu":
        raise ValueError(f"rule={rule!r} runs on the CPU only, got device={dev!r}")
    if gate is not None and rule != "gla":
        raise ValueError(f"gate is for rule='gla' only, got rule={rule!r}")
    mom = V.as_float(momentum, "momentum", minimum=0.0)
    if mom >= 1.0 or (mom != 0.0 and rule != "titans"):
        raise ValueError(f"momentum must be in [0, 1) and is for rule='titans' only, got {mom} with rule={rule!r}")
    K, Vv, Q, single = _sequences(keys, values, queries, dtype)
    dt = K.dtype.type
    SL = K.shape[:2]
    out = np.empty((K.shape[0], K.shape[1], Vv.shape[2]), dtype=dt)
    if rule in ("decay", "titans"):
        lam = V.as_float(decay, "decay", minimum=0.0, strict=True)
        if lam > 1.0:
            raise ValueError(f"decay must be in (0, 1], got {lam}")
    if rule == "decay":
        _k.stream_gated(K, Vv, Q, np.full(SL, lam, dtype=dt), out)
    elif rule == "gla":
        if gate is None:
            raise ValueError("rule='gla' needs gate, the per-step gates g_t in (0, 1] of shape (S, L) or (L,)")
        _k.stream_gated(K, Vv, Q, _per_step(gate, "gate", SL, single, dt, 1.0), out)
    elif rule == "titans":
        if eta is None:
            raise ValueError("rule='titans' needs eta, the step theta > 0 (a float)")
        theta = V.as_float(eta, "eta", minimum=0.0, strict=True)
        _k.stream_titans(K, Vv, Q, dt(theta), dt(mom), dt(lam), out)
    else:
        sq = np.einsum("sld,sld->sl", K, K, dtype=np.float64)  # |k_t|^2, (S, L)
        if rule == "gated-delta":
            a = _per_step(decay, "decay", SL, single, dt, 1.0)
            if eta is None:
                b = np.where(sq > 0, 1.0 / np.where(sq > 0, sq, 1.0), 0.0)
            else:
                b = _per_step(eta, "eta", SL, single, np.float64, None)
                if np.max(b * sq) > 2.0 * (1 + 1e-6):
                    raise ValueError(f"eta |k_t|^2 reaches {np.max(b * sq):.6g} > 2: the gated delta rule would "
                                     "diverge (need eta_t <= 2/|k_t|^2)")
        else:  # longhorn: the implicit step eps = beta / (1 + beta |k|^2)
            if eta is None:
                raise ValueError("rule='longhorn' needs eta, the step beta_t > 0 (a float or one per position)")
            beta = _per_step(eta, "eta", SL, single, np.float64, None)
            a = np.ones(SL, dtype=dt)
            b = beta / (1.0 + beta * sq)
        _k.stream_gated_delta(K, Vv, Q, a, np.ascontiguousarray(b, dtype=dt), out)
    return out[0] if single else out


#: Positions per chunk of the GPU's chunkwise linear-attention stream (:func:`_stream_hebbian_xp`).
STREAM_CHUNK = 64


def _stream_hebbian_xp(xp, K, Vv, Q, normalize: bool, chunk: int = STREAM_CHUNK):
    """The Hebbian stream of :func:`stream` in chunkwise form, on ``xp``'s arrays (the GPU path).

    For a chunk of positions ``C`` with the state ``W`` (and ``z``) of every
    position before it, ``o_t = W q_t + sum_{s in C, s <= t} (q_t . k_s) v_s``
    (the masked product), divided by ``z . q_t + sum_{s in C, s <= t} q_t . k_s``
    when ``normalize`` (0 where that is 0, as on the CPU); then
    ``W += V_C^T K_C`` and ``z += sum_C k_s``. ``K``, ``Q`` (S, L, d_k) (already
    through the feature map), ``Vv`` (S, L, d_v); returns (S, L, d_v).
    """
    S, L, dk = K.shape
    dv = Vv.shape[2]
    W = xp.zeros((S, dv, dk), dtype=K.dtype)
    z = xp.zeros((S, dk, 1), dtype=K.dtype)
    out = xp.empty((S, L, dv), dtype=K.dtype)
    for t0 in range(0, L, chunk):
        Kc, Vc, Qc = K[:, t0:t0 + chunk], Vv[:, t0:t0 + chunk], Q[:, t0:t0 + chunk]
        c = Kc.shape[1]
        A = Qc @ xp.swapaxes(Kc, 1, 2)  # (S, c, c) scores q_t . k_s
        A *= xp.tril(xp.ones((c, c), dtype=K.dtype))
        o = Qc @ xp.swapaxes(W, 1, 2) + A @ Vc  # (S, c, d_v)
        if normalize:
            den = (Qc @ z)[:, :, 0] + A.sum(axis=2)  # (S, c)
            o = xp.where(den[:, :, None] != 0, o / xp.where(den == 0, 1, den)[:, :, None], 0).astype(K.dtype)
            z += Kc.sum(axis=1)[:, :, None]
        out[:, t0:t0 + c] = o
        W += xp.swapaxes(Vc, 1, 2) @ Kc
    return out


def _stream_delta_xp(xp, K, Vv, Q, rates, lam):
    """The delta-rule stream of :func:`stream` on ``xp``'s arrays, position by position, batched over sequences.

    At each ``t``: ``r = v_t - lam W k_t``, ``W <- lam W + eta_t r k_t^T``,
    ``o_t = W q_t`` for every sequence at once (batched matrix-vector products).
    ``rates`` (S, L) as computed by :func:`stream`; returns (S, L, d_v).
    """
    S, L, dk = K.shape
    dv = Vv.shape[2]
    W = xp.zeros((S, dv, dk), dtype=K.dtype)
    out = xp.empty((S, L, dv), dtype=K.dtype)
    for t in range(L):
        k = K[:, t, :, None]  # (S, d_k, 1)
        r = Vv[:, t] - lam * (W @ k)[:, :, 0]  # (S, d_v)
        W *= lam
        W += (rates[:, t, None] * r)[:, :, None] * xp.swapaxes(k, 1, 2)
        out[:, t] = (W @ Q[:, t, :, None])[:, :, 0]
    return out


def causal_attention(keys: npt.ArrayLike, values: npt.ArrayLike, queries: npt.ArrayLike, kind: str = "linear", *,
                     beta: float = 1.0, dtype: npt.DTypeLike | None = None) -> np.ndarray:
    """The parallel (masked-matmul) form of causal attention: ``o_t = sum_{s <= t} w(q_t, k_s) v_s``.

    Parameters
    ----------
    keys, values, queries
        As in :func:`stream`.
    kind : {"linear", "normalized", "softmax"}
        ``w = q . k``; ``w = phi(q) . phi(k)`` divided by its sum over ``s <= t``;
        or ``softmax_s(beta q_t . k_s)`` over ``s <= t``.
    beta : float > 0
        Softmax only.

    Returns
    -------
    ndarray of shape (S, L, d_v) (or (L, d_v))

    References
    ----------
    A. Katharopoulos et al., ICML 2020, arXiv:2006.16236, Sec. 3.2-3.4 (causal masking, the
    recurrent form). A. Vaswani et al., NeurIPS 2017, arXiv:1706.03762 (softmax attention).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.eye(3)[None]  # one sequence of three orthonormal tokens
    >>> causal_attention(X, X, X, "linear")[0].tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    V.as_choice(kind, "kind", ("linear", "normalized", "softmax"))
    beta = V.as_float(beta, "beta", minimum=0.0, strict=True)
    K, Vv, Q, single = _sequences(keys, values, queries, dtype)
    L = K.shape[1]
    mask = np.tril(np.ones((L, L), dtype=bool))
    if kind == "normalized":
        K, Q = elu1(K), elu1(Q)
    A = Q @ np.swapaxes(K, 1, 2)  # (S, L, L)
    if kind == "softmax":
        A = np.where(mask, beta * A, -np.inf)
        A -= A.max(axis=2, keepdims=True)
        A = np.exp(A)
        A /= A.sum(axis=2, keepdims=True)
    else:
        A = np.where(mask, A, 0).astype(K.dtype)
        if kind == "normalized":
            A /= A.sum(axis=2, keepdims=True)
    out = (A @ Vv).astype(K.dtype, copy=False)
    return out[0] if single else out
