"""The two-layer induction-head transformer built from associative memories (no training).

The model of Bietti et al. (2023, Sec. 4-5) with the feed-forward bigram memory
analysed by Wang & Sato (2024). Frozen random embeddings ``w_E(k)``, ``w_U(k)``
(``k < V``), positions ``p_t`` (absolute, APE) or relative vectors ``r_delta``
(RPE), and frozen random ``W_OV^1 = W_O^1 W_V^1`` and ``W_V^2``, all with
entries ``N(0, 1/d)``. The memories (each a sum of outer products, stored as a
factor pair ``W = left.T @ right``):

* previous-token head, APE: ``W_K^1 = sum_{t>=1} p_t p_{t-1}^T``; RPE: the score
  of offset ``delta = t - s`` is ``r_1^T r_delta`` (it depends on the offset only);
* induction head: ``W_K^2 = sum_k w_E(k) w_1(k)^T`` with ``w_1(k) = W_OV^1 w_E(k)``;
* copy: ``W_O^2 = sum_k w_U(k) (W_V^2 w_E(k))^T``;
* feed-forward bigram memory: ``W_F = sum_ij alpha_ij w_U(j) w_E(i)^T`` with
  ``alpha_ij = log pi_b(j|i) - mean_j' log pi_b(j'|i)``: a row constant shifts all
  logits of a position by the same amount (no change to the softmax), and the
  centred rows carry less crosstalk.

Forward pass (causal, positions ``s <= t``), with scales ``beta1``, ``beta2``,
``beta_O``, ``gamma``::

    x_t  = w_E(z_t) + p_t                      (RPE: w_E(z_t))
    A1   = softmax_s(beta1 x_t^T W_K^1 x_s)    (RPE: beta1 r_1^T r_{t-s})
    h1_t = x_t + sum_s A1[t, s] W_OV^1 x_s
    A2   = softmax_s(beta2 h1_t^T W_K^2 h1_s)
    h2_t = h1_t + beta_O sum_s A2[t, s] W_O^2 W_V^2 h1_s
    xi_t = w_U (h2_t + gamma W_F h1_t)         (logits, one per token)

The feed-forward memory reads the layer-2 input ``h1_t``, in parallel with the
layer-2 attention (a parallel block, as in GPT-J): reading ``h2_t`` would add
the crosstalk ``beta_O gamma w_E(i)^T w_U(k)`` of the copied output, which grows
with ``beta_O``.

:func:`build_one_step` builds the memories instead from sampled sequences by one
gradient step from zero (Bietti et al. 2023, Lemma 1: the gradient of a
cross-entropy loss at ``W = 0`` is a sum of outer products), without autodiff.

The forward pass (:func:`forward`) runs in blocks of ``BLOCK`` sequences:
Numba kernels compute both causal softmaxes on ``s <= t`` only (the layer-1
scores gathered from four small tables, ``E W E^T``, ``E W P^T``, ``P W E^T``,
``P W P^T``); every later read of ``h1`` is applied to the embedding tables
before the ``T x T`` attention when that is cheaper, the token part of the
layer-1 output is a per-token sum of the attention, and the remaining ``T x T``
products (BLAS) skip the tiles above the diagonal. Numbers: docs/induction.md.

References
----------
A. Bietti, V. Cabannes, D. Bouchacourt, H. Jegou, L. Bottou, "Birth of a
Transformer: A Memory Viewpoint", NeurIPS 2023 (arXiv:2306.00802), Sec. 4-6, Lemma 1.
J. Wang, I. Sato, "Rethinking associative memory mechanism in induction head",
COLM 2025 (arXiv:2412.11459).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Optional

import numpy as np
import numpy.typing as npt

from hopfield import _validate as v
from hopfield.bigram import BigramModel, check_tokens
from hopfield.kernels import induction as _k
from hopfield.kernels.threads import run_trials

__all__ = ["Memory", "InductionModel", "Forward", "build_induction_model", "build_one_step", "forward",
           "probes", "one_step_memory", "positional_recall", "PE"]

PE = ("ape", "rpe")


@dataclass(frozen=True)
class Memory:
    """A matrix stored as factors: ``W = left.T @ right`` (a sum of ``r`` outer products).

    Attributes
    ----------
    left, right : ndarray of shape (r, d), float64
        ``W = sum_i left[i] right[i]^T``.
    """

    left: np.ndarray
    right: np.ndarray

    def dense(self) -> np.ndarray:
        """The ``(d, d)`` matrix."""
        return self.left.T @ self.right

    @property
    def rank(self) -> int:
        return int(self.left.shape[0])


@dataclass(frozen=True)
class InductionModel:
    """Embeddings, frozen matrices, memories and scales of the two-layer model.

    Attributes
    ----------
    w_E, w_U : ndarray of shape (V, d), float64
        Input and output token embeddings.
    P : ndarray of shape (T_max, d), float64
        Absolute positions ``p_t`` (APE) or relative vectors ``r_delta`` (RPE).
    W_OV1, W_V2 : ndarray of shape (d, d), float64
        Frozen random matrices.
    K1 : Memory
        APE: ``W_K^1``; RPE: ``left`` of shape (1, d) holds the offset key ``r_1``
        (``right`` is unused and equals ``left``).
    K2, O2, F : Memory
        ``W_K^2``, ``W_O^2`` and ``W_F``.
    beta1, beta2, beta_O, gamma : float
        Scales.
    pe : {"ape", "rpe"}
    """

    w_E: np.ndarray
    w_U: np.ndarray
    P: np.ndarray
    W_OV1: np.ndarray
    W_V2: np.ndarray
    K1: Memory
    K2: Memory
    O2: Memory
    F: Memory
    beta1: float
    beta2: float
    beta_O: float
    gamma: float
    pe: str

    @property
    def V(self) -> int:
        return int(self.w_E.shape[0])

    @property
    def d(self) -> int:
        return int(self.w_E.shape[1])

    @property
    def T_max(self) -> int:
        """The number of positional embeddings (longest sequence)."""
        return int(self.P.shape[0])

    def with_scales(self, **scales) -> "InductionModel":
        """A copy with other scales (``beta1``, ``beta2``, ``beta_O``, ``gamma``)."""
        bad = set(scales) - {"beta1", "beta2", "beta_O", "gamma"}
        if bad:
            raise ValueError(f"with_scales takes beta1, beta2, beta_O, gamma; got {sorted(bad)}")
        return replace(self, **{k: v.as_float(x, k, minimum=0.0) for k, x in scales.items()})


def _check_scales(beta1, beta2, beta_O, gamma):
    return (v.as_float(beta1, "beta1", minimum=0.0), v.as_float(beta2, "beta2", minimum=0.0),
            v.as_float(beta_O, "beta_O", minimum=0.0), v.as_float(gamma, "gamma", minimum=0.0))


def _frozen(bigram, d, T_max, seed):
    """The frozen random parts, each from its own child of ``SeedSequence(seed)``."""
    V = bigram.V
    ss = np.random.SeedSequence(seed).spawn(5)
    g = [np.random.default_rng(s) for s in ss]
    sd = 1.0 / np.sqrt(d)
    return (g[0].normal(0, sd, (V, d)), g[1].normal(0, sd, (V, d)), g[2].normal(0, sd, (T_max, d)),
            g[3].normal(0, sd, (d, d)), g[4].normal(0, sd, (d, d)))


def _check_build(bigram, d, T_max, seed, pe):
    if not isinstance(bigram, BigramModel):
        raise TypeError(f"bigram must be a hopfield.bigram.BigramModel, got {type(bigram).__name__}")
    d = v.as_int(d, "d", minimum=2)
    T_max = v.as_int(T_max, "T_max", minimum=2)
    seed = v.as_seed(seed)
    pe = v.as_choice(pe, "pe", PE)
    v.check_memory(8 * (2 * bigram.V * d + 2 * T_max * d + 4 * d * d), "the model", "use a smaller d or T_max")
    return d, T_max, seed, pe


def build_induction_model(bigram: BigramModel, d: int, T_max: int, seed: int = 0, pe: str = "ape",
                          beta1: float = 20.0, beta2: float = 10.0, beta_O: float = 10.0,
                          gamma: float = 1.0) -> InductionModel:
    """The model with its memories written in closed form (Bietti et al. 2023, Sec. 5).

    Parameters
    ----------
    bigram : BigramModel
        Its ``log pi_b`` is stored in the feed-forward memory ``W_F``.
    d : int
        Embedding dimension (>= 2).
    T_max : int
        Number of positional embeddings; sequences may be at most this long.
    seed : int
        Seed of the frozen random embeddings and matrices.
    pe : {"ape", "rpe"}
        Absolute or relative positional encoding.
    beta1, beta2, beta_O, gamma : float
        Scales of the layer-1 and layer-2 scores, of the copy output and of the
        feed-forward memory.

    Returns
    -------
    InductionModel

    Examples
    --------
    >>> from hopfield.bigram import synthetic_bigram
    >>> m = build_induction_model(synthetic_bigram(8, seed=0), d=32, T_max=16, seed=1)
    >>> m.K2.dense().shape, m.K1.rank
    ((32, 32), 15)
    """
    d, T_max, seed, pe = _check_build(bigram, d, T_max, seed, pe)
    beta1, beta2, beta_O, gamma = _check_scales(beta1, beta2, beta_O, gamma)
    w_E, w_U, P, W_OV1, W_V2 = _frozen(bigram, d, T_max, seed)
    if pe == "ape":
        K1 = Memory(P[1:].copy(), P[:-1].copy())  # sum_t p_t p_{t-1}^T
    else:
        K1 = Memory(P[1:2].copy(), P[1:2].copy())  # the key of offset 1
    K2 = Memory(w_E.copy(), w_E @ W_OV1.T)  # sum_k w_E(k) w_1(k)^T
    O2 = Memory(w_U.copy(), w_E @ W_V2.T)  # sum_k w_U(k) (W_V2 w_E(k))^T
    alpha = bigram.log_pi_b - bigram.log_pi_b.mean(axis=1, keepdims=True)  # row constants cancel in softmax
    F = Memory(alpha @ w_U, w_E.copy())  # sum_i (sum_j alpha_ij w_U(j)) w_E(i)^T
    return InductionModel(w_E, w_U, P, W_OV1, W_V2, K1, K2, O2, F, beta1, beta2, beta_O, gamma, pe)


@dataclass(frozen=True)
class Forward:
    """The result of a forward pass.

    Attributes
    ----------
    A1, A2 : ndarray of shape (n, T, T), or None
        Causal attention maps of layers 1 and 2 (row ``t`` sums to 1 over ``s <= t``);
        None for a pass run with ``maps=False``.
    logits : ndarray of shape (n, T, V)
        ``xi_t(k)``.
    """

    A1: Optional[np.ndarray]
    A2: Optional[np.ndarray]
    logits: np.ndarray


#: Sequences per block of the forward pass (keeps the block's working arrays near the caches).
BLOCK = 4
#: Query rows per causal tile: a product with an attention map skips the tiles above its diagonal.
TILE = 32

_pools: dict = {}
_pool_lock = threading.Lock()


def _check_batch(model, tokens) -> np.ndarray:
    """``tokens`` as an int array of shape (n, T), checked against ``model`` (V, T_max)."""
    if not isinstance(model, InductionModel):
        raise TypeError(f"model must be an InductionModel, got {type(model).__name__}")
    z = check_tokens(tokens, model.V)
    if z.ndim == 1:
        z = z[None]
    if z.ndim != 2 or z.shape[1] < 1:
        raise ValueError(f"tokens must have shape (n, T) with T >= 1, got {np.shape(tokens)}")
    if z.shape[1] > model.T_max:
        raise ValueError(f"T = {z.shape[1]} exceeds the model's T_max = {model.T_max} positional embeddings")
    return z


def _positional_scores(model, T) -> np.ndarray:
    """Layer-1 positional scores without ``beta1``: APE ``p_t^T W_K^1 p_s`` (T, T); RPE ``r_1^T r_delta`` (T,)."""
    P = model.P[:T]
    if model.pe == "rpe":
        return P @ model.K1.left[0]
    return (P @ model.K1.left.T) @ (model.K1.right @ P.T)


@dataclass(frozen=True)
class _Tables:
    """What the forward pass reads from the model for sequences of length ``T``, in one dtype.

    Layer-1 scores (``beta1`` included): ``tEE`` (V, V), ``tEP`` (V, T), ``tPE`` (T, V), ``tPP`` (T, T).
    Layer-1 output in the ``c_in`` coordinates of ``R_in`` (d, c_in): ``XE`` (V, c_in) and ``XP``
    (T, c_in) are the token and position parts of ``x_s``, ``YE`` and ``YP`` those of ``W_OV^1 x_s``
    (``YP`` is None when positions are absent, RPE). ``R`` (c_in, 2 r + 2 V) maps ``h1`` (in those
    coordinates) to its four reads: layer-2 query (``beta2`` included) and key, the copy output as
    logits (``beta_O``) and the direct and feed-forward logits (``gamma``). ``R`` is None when
    ``R_in`` is already ``R`` (``c_in = 2 r + 2 V``).
    """

    tEE: np.ndarray
    tEP: np.ndarray
    tPE: np.ndarray
    tPP: np.ndarray
    XE: np.ndarray
    YE: np.ndarray
    XP: np.ndarray
    YP: Optional[np.ndarray]
    R: Optional[np.ndarray]
    r: int


def _tables(model: InductionModel, T: int, dtype) -> _Tables:
    """The tables of one forward pass (computed in float64, then cast to ``dtype``)."""
    d, V, b1 = model.d, model.V, model.beta1
    c = lambda a: None if a is None else np.ascontiguousarray(a, dtype=dtype)  # noqa: E731
    if model.pe == "ape":
        E, P = model.w_E, model.P[:T]
        L, Rk = model.K1.left, model.K1.right
        EL, ER, PL, PR = E @ L.T, E @ Rk.T, P @ L.T, P @ Rk.T  # (V, r1), (V, r1), (T, r1), (T, r1)
        tEE, tEP, tPE = (b1 * X @ Y.T for X, Y in ((EL, ER), (EL, PR), (PL, ER)))
        tPP = b1 * _positional_scores(model, T)
    else:  # the score depends on the offset t - s only
        rho = b1 * _positional_scores(model, T)  # (T,)
        off = np.arange(T)[:, None] - np.arange(T)[None, :]
        tEE, tEP, tPE, tPP = np.zeros((V, V)), np.zeros((V, T)), np.zeros((T, V)), rho[np.abs(off)]
    # the reads of h1: layer-2 query and key factors, copy output and direct + feed-forward logits
    if model.K2.rank <= d:
        Q, K = model.K2.left.T, model.K2.right.T  # (d, r): h_t^T W_K^2 h_s = (h_t Q) . (h_s K)
    else:
        Q, K = model.K2.dense(), np.eye(d)
    copy = (model.O2.right @ model.W_V2).T @ (model.beta_O * model.O2.left @ model.w_U.T)  # (d, V)
    direct = model.w_U.T + model.gamma * model.F.right.T @ (model.F.left @ model.w_U.T)  # (d, V)
    R = np.concatenate([model.beta2 * Q, K, copy, direct], axis=1)  # (d, 2 r + 2 V)
    # apply R before the T x T attention when it is narrower than d (fewer columns to attend over)
    R_in, R_out = (R, None) if R.shape[1] <= d else (np.eye(d), R)
    Pp = model.P[:T] if model.pe == "ape" else None

    def ov(X):  # X W_OV1^T R_in in the cheaper order for the rows at hand
        return (X @ model.W_OV1.T) @ R_in if len(X) <= R_in.shape[1] else X @ (model.W_OV1.T @ R_in)

    XE, YE = model.w_E @ R_in, ov(model.w_E)
    XP = np.zeros((T, R_in.shape[1])) if Pp is None else Pp @ R_in
    YP = None if Pp is None else ov(Pp)
    return _Tables(c(tEE), c(tEP), c(tPE), c(tPP), c(XE), c(YE), c(XP), c(YP), c(R_out), Q.shape[1])


def forward(model: InductionModel, tokens: npt.ArrayLike, dtype: npt.DTypeLike = np.float64, maps: bool = True, workers: int = 1) -> Forward:
    """Batched forward pass: attention maps of both layers and the logits.

    Parameters
    ----------
    model : InductionModel
    tokens : array_like of shape (n, T) or (T,), int
        Ids in ``0..V-1``; ``T <= model.T_max``.
    dtype : numpy float dtype
        ``float64`` (default) or ``float32`` (faster; logits within about
        ``1e-4`` of float64 at unit scales, see docs/induction.md).
    maps : bool
        Return the attention maps (default). With ``False``, ``A1`` and ``A2``
        are None and only the logits are kept (no ``(n, T, T)`` arrays).
    workers : int
        With 1 (default) the blocks of ``BLOCK`` sequences run one after the
        other, each using numpy's threaded BLAS and Numba's thread count for
        its kernels; with more, the blocks run on a pool of ``workers``
        threads (each block single-threaded in its kernels; run with one BLAS
        thread, e.g. ``OPENBLAS_NUM_THREADS=1``, to avoid oversubscription).
        The result is the same bit for bit.

    Returns
    -------
    Forward

    Notes
    -----
    Computed in blocks of ``BLOCK`` sequences. Layer-1 scores are gathered
    from four small tables (``E W E^T``, ``E W P^T``, ``P W E^T``, ``P W P^T``)
    and normalised by a Numba kernel that visits only ``s <= t``. The layer-1
    output is never formed in ``d`` dimensions when fewer columns suffice: all
    later reads of ``h1`` (layer-2 query and key factors, copy output and
    logits, ``2 r + 2 V`` columns) are applied to the tables first, the token
    part of ``sum_s A1[t, s] W_OV^1 x_s`` is the kernel's per-token sum of
    ``A1[t, :]`` times a ``(V, .)`` table, and only the positional part is a
    ``T x T`` product, computed tile by tile below the diagonal (``TILE`` rows).
    The same tiling skips the masked tiles of both layer-2 products.

    Examples
    --------
    >>> from hopfield.bigram import synthetic_bigram
    >>> m = build_induction_model(synthetic_bigram(8, seed=0), d=64, T_max=32, seed=1)
    >>> out = forward(m, [[1, 2, 3, 1]])
    >>> out.logits.shape, int(out.A1[0, 3].argmax()), int(out.A2[0, 3].argmax())
    ((1, 4, 8), 2, 1)
    """
    z = _check_batch(model, tokens)
    n, T = z.shape
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    if not isinstance(maps, (bool, np.bool_)):
        raise TypeError(f"maps must be a bool, got {maps!r}")
    workers = v.as_int(workers, "workers", minimum=1)
    c_max = 2 * model.d + 2 * model.V
    v.check_memory(dtype.itemsize * n * T * (2 * T * maps + model.V)
                   + dtype.itemsize * BLOCK * T * (2 * T + 2 * model.V + 2 * c_max), "the forward pass",
                   "pass fewer sequences at a time or maps=False")
    tab = _tables(model, T, dtype)
    z = np.ascontiguousarray(z, dtype=np.int64)
    A1 = np.empty((n, T, T), dtype) if maps else None
    A2 = np.empty((n, T, T), dtype) if maps else None
    logits = np.empty((n, T, model.V), dtype)
    blocks = [slice(b0, min(n, b0 + BLOCK)) for b0 in range(0, n, BLOCK)]

    def block(sl, serial):
        if maps:
            _forward_block(tab, z[sl], A1[sl], A2[sl], logits[sl], serial)
        else:  # this block's maps only
            S = np.empty((2, sl.stop - sl.start, T, T), dtype)
            _forward_block(tab, z[sl], S[0], S[1], logits[sl], serial)

    if workers == 1 or len(blocks) == 1:
        for sl in blocks:
            block(sl, False)
    else:  # blocks over a thread pool; each block's kernels run in its own thread
        for f in [_pool(workers).submit(block, sl, True) for sl in blocks]:
            f.result()
    return Forward(A1, A2, logits)


def _tiles(T):
    return [(r0, min(T, r0 + TILE)) for r0 in range(0, T, TILE)]


def _pool(workers: int) -> ThreadPoolExecutor:
    with _pool_lock:
        if workers not in _pools:
            _pools[workers] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="amlab-forward")
        return _pools[workers]


def _forward_block(tab: _Tables, z, A1, A2, logits, serial: bool = False):
    """One block of sequences: writes ``A1``, ``A2`` (B, T, T) and ``logits`` (B, T, V).

    ``serial``: run the Numba kernels in the calling thread (the block is one task of a pool).
    """
    run = (lambda kernel, B, *args: kernel(0, B, *args)) if serial else run_trials  # noqa: E731
    B, T = z.shape
    V = tab.XE.shape[0]
    dtype = logits.dtype
    # layer 1 -------------------------------------------------------------------------------------
    C = np.empty((B, T, V), dtype)  # per-token sums of A1[b, t, :]
    run(_k.layer1_softmax, B, z, tab.tEE, tab.tEP, tab.tPE, tab.tPP, A1, C)
    H = (C.reshape(B * T, V) @ tab.YE).reshape(B, T, -1)  # token part of sum_s A1[t, s] W_OV1 x_s
    run(_k.add_rows, B, z, tab.XE, tab.XP, H)  # x_t
    if tab.YP is not None:  # position part of sum_s A1[t, s] W_OV1 x_s, tiles on and below the diagonal
        for r0, r1 in _tiles(T):
            H[:, r0:r1] += A1[:, r0:r1, :r1] @ tab.YP[:r1]
    if tab.R is not None:  # h1 was formed in d dimensions: read it now
        H = H @ tab.R
    r = tab.r
    q, k, vO, lg = H[..., :r], H[..., r:2 * r], H[..., 2 * r:2 * r + V], H[..., 2 * r + V:]  # (B, T, .)
    # layer 2 -------------------------------------------------------------------------------------
    for r0, r1 in _tiles(T):  # scores of queries r0..r1-1 against keys s < r1
        np.matmul(q[:, r0:r1], k[:, :r1].transpose(0, 2, 1), out=A2[:, r0:r1, :r1])
    run(_k.causal_softmax, B, A2)
    logits[...] = lg
    for r0, r1 in _tiles(T):
        logits[:, r0:r1] += A2[:, r0:r1, :r1] @ vO[:, :r1]  # copy output, as logits


def probes(model: InductionModel, tokens: npt.ArrayLike, flags: npt.ArrayLike | None = None, out: Optional[Forward] = None) -> dict:
    """Memory-recall probes of a forward pass.

    * ``prev_token``: fraction of positions ``t >= 1`` whose layer-1 attention
      peaks at ``t - 1``;
    * ``induction``: over positions ``t`` whose token occurred before (at some
      ``u <= t - 1``), the fraction whose layer-2 attention peaks at a position
      ``s`` with ``z_{s-1} = z_t``;
    * ``copy``: fraction of (sequence, position) pairs where the copy memory
      recalls the token, ``argmax_k w_U(k)^T W_O^2 W_V^2 h1_s = z_s`` (computed
      on the token embeddings ``x_s = w_E(z_s)``, the memory's key);
    * ``icl`` (with ``flags``): in-context accuracy, ``argmax_k xi_t(k) = z_{t+1}``
      over positions whose next token is a trigger output seen before (``flags >= 2``).

    Parameters
    ----------
    model : InductionModel
    tokens : array_like of shape (n, T), int
    flags : array_like of shape (n, T), int, optional
        As returned by ``hopfield.induction_data.trigger_sequences``.
    out : Forward, optional
        A forward pass of ``tokens`` (computed if not given).

    Returns
    -------
    dict
        ``{"prev_token": float, "induction": float, "copy": float, "icl": float}``
        (``icl`` is NaN without flags or eligible positions); plus ``"n_*"`` counts.

    Examples
    --------
    >>> from hopfield.bigram import synthetic_bigram
    >>> from hopfield.induction_data import trigger_sequences
    >>> bg = synthetic_bigram(16, seed=0)
    >>> tok, fl = trigger_sequences(bg, n=8, T=64, K=2, seed=0)
    >>> pr = probes(build_induction_model(bg, d=128, T_max=64, seed=0, gamma=0.3), tok, fl)
    >>> pr["prev_token"] > 0.95, pr["icl"] > 0.9
    (True, True)
    """
    z = _check_batch(model, tokens)
    out = forward(model, z) if out is None else out
    n, T = z.shape
    if out.A1 is None:
        raise ValueError("out holds no attention maps (a forward pass with maps=False); pass maps=True")
    if out.A1.shape != (n, T, T):
        raise ValueError(f"out holds a forward pass of shape {out.A1.shape[:2]}, tokens have shape {(n, T)}")
    res = {}
    am1 = out.A1[:, 1:].argmax(-1)  # (n, T-1)
    res["prev_token"] = float(np.mean(am1 == np.arange(T - 1)[None])) if T > 1 else float("nan")
    res["n_prev_token"] = int(n * (T - 1))
    pred = np.concatenate([z[:, :1], z[:, :-1]], axis=1)  # predecessor, first position its own
    am2 = out.A2.argmax(-1)  # (n, T)
    seen = np.zeros((n, T), bool)
    for t in range(1, T):  # z_t occurred at some u <= t-1
        seen[:, t] = (z[:, :t] == z[:, t:t + 1]).any(1)
    hit = np.take_along_axis(pred, am2, axis=1) == z
    res["induction"] = float(hit[seen].mean()) if seen.any() else float("nan")
    res["n_induction"] = int(seen.sum())
    rec = (model.w_E @ model.W_V2.T @ model.O2.right.T @ model.O2.left @ model.w_U.T).argmax(1)  # (V,)
    res["copy"] = float(np.mean(rec[z] == z))
    res["n_copy"] = int(z.size)
    if flags is not None:
        f = check_tokens(flags, np.iinfo(np.int64).max, "flags")
        if f.shape != z.shape:
            raise ValueError(f"flags must have the shape of tokens {z.shape}, got {f.shape}")
        elig = f[:, 1:] >= 2  # (n, T-1): position t predicts z_{t+1}
        guess = out.logits[:, :-1].argmax(-1)
        res["icl"] = float((guess == z[:, 1:])[elig].mean()) if elig.any() else float("nan")
        res["n_icl"] = int(elig.sum())
    else:
        res["icl"], res["n_icl"] = float("nan"), 0
    return res


def one_step_memory(X: np.ndarray, y_target: np.ndarray, y_mean: np.ndarray) -> Memory:
    """One gradient step from zero of a softmax associative memory (Bietti et al. 2023, Lemma 1).

    For scores ``y_j^T W x`` over candidates ``y_j``, softmax and cross-entropy
    with target ``j*``, the gradient at ``W = 0`` (uniform softmax, so the
    predicted mean candidate is the plain mean ``ybar``) is
    ``-(y_{j*} - ybar) x^T``. The negative gradient averaged over the ``m``
    pairs is returned as factors ``left = (y_{j*} - ybar)/m``, ``right = x``.

    Parameters
    ----------
    X : ndarray of shape (m, d)
        Inputs ``x_i``.
    y_target : ndarray of shape (m, d)
        The correct candidate ``y_{i, j*}`` of each pair.
    y_mean : ndarray of shape (m, d) or (d,)
        The mean candidate ``ybar_i`` of each pair (over its allowed candidates).

    Returns
    -------
    Memory
        ``W = left.T @ right = (1/m) sum_i (y_{i,j*} - ybar_i) x_i^T``.

    Examples
    --------
    >>> import numpy as np
    >>> W = one_step_memory(np.eye(2), np.eye(2), np.full(2, 0.5)).dense()
    >>> W.tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    """
    X = np.asarray(X, float)
    diff = np.asarray(y_target, float) - np.asarray(y_mean, float)
    return Memory(diff / X.shape[0], X.copy())


def _normalised(mem: Memory, X, y_target, y_mean) -> Memory:
    """``mem`` divided by its mean signal ``mean_i (y_{i,j*} - ybar_i)^T W x_i``."""
    diff = np.asarray(y_target, float) - np.asarray(y_mean, float)
    signal = float(np.mean(np.einsum("md,md->m", diff @ mem.left.T, X @ mem.right.T)))
    if not signal > 0:
        raise ValueError("the one-step memory has no positive signal on its data; draw more sequences")
    return Memory(mem.left / signal, mem.right)


def _compact(mem: Memory) -> Memory:
    """The same matrix with at most ``d`` factor rows."""
    d = mem.left.shape[1]
    return mem if mem.rank <= d else Memory(np.eye(d), mem.dense())


def _query_side(mem: Memory) -> Memory:
    """An attention memory (score ``query^T W key``) from a one-step memory (score ``key^T W query``)."""
    return _compact(Memory(mem.right, mem.left))


def _step(X, y_target, y_mean) -> Memory:
    return _normalised(one_step_memory(X, y_target, y_mean), X, y_target, y_mean)


def build_one_step(bigram: BigramModel, tokens: npt.ArrayLike, flags: npt.ArrayLike, d: int, seed: int = 0, pe: str = "ape",
                   beta1: float = 20.0, beta2: float = 10.0, beta_O: float = 10.0, gamma: float = 1.0,
                   T_max: Optional[int] = None) -> InductionModel:
    """The model with every memory written by one gradient step from zero on sampled data.

    Each memory is the negative gradient at zero of its own cross-entropy loss
    (:func:`one_step_memory`), averaged over the sequences ``tokens`` (from
    ``trigger_sequences``), with the same frozen embeddings as
    :func:`build_induction_model` at the same ``seed``; then divided by its
    mean signal (score of the correct candidate minus the mean score), so that
    the scales mean the same as for the closed-form model:

    * ``W_K^1`` (APE): query ``x_t = w_E(z_t) + p_t``, candidates ``x_s`` (``s <= t``),
      target ``s = t - 1``, over all ``t >= 1``; RPE: the offset key
      ``sum_t (r_1 - mean_{delta <= t} r_delta)``;
    * ``W_K^2``: query ``w_E(z_t)``, candidates ``W_OV^1 x_{s-1}`` (the idealised
      layer-1 output at ``s``), target the position after the previous occurrence
      of ``z_t``, at positions whose next token is a trigger output seen before
      (``flags >= 2``);
    * ``W_O^2``: input ``W_V^2 w_E(z_{t+1})`` (the attended value), candidates
      ``w_U(k)``, target ``z_{t+1}`` (same positions);
    * ``W_F``: input ``w_E(z_t)``, candidates ``w_U(k)``, target ``z_{t+1}`` at
      positions whose next token comes from the bigram (``flags == 0``).

    Parameters
    ----------
    bigram : BigramModel
    tokens, flags : array_like of shape (n, T), int
    d : int
    seed : int
        Seed of the frozen parts (same as ``build_induction_model``).
    pe, beta1, beta2, beta_O, gamma : see ``build_induction_model``.
    T_max : int, optional
        Positional embeddings (default ``T``).

    Returns
    -------
    InductionModel

    Examples
    --------
    >>> from hopfield.bigram import synthetic_bigram
    >>> from hopfield.induction_data import trigger_sequences
    >>> bg = synthetic_bigram(16, seed=0)
    >>> m = build_one_step(bg, *trigger_sequences(bg, n=64, T=64, K=2, seed=0), d=128, seed=0, gamma=0.0)
    >>> probes(m, *trigger_sequences(bg, n=8, T=64, K=2, seed=1))["icl"] > 0.3  # chance: 1/16
    True
    """
    if not isinstance(bigram, BigramModel):
        raise TypeError(f"bigram must be a hopfield.bigram.BigramModel, got {type(bigram).__name__}")
    z = check_tokens(tokens, bigram.V)
    f = check_tokens(flags, np.iinfo(np.int64).max, "flags")
    if z.ndim != 2 or f.shape != z.shape or z.shape[1] < 2:
        raise ValueError(f"tokens and flags must have one shape (n, T) with T >= 2, got {z.shape} and {f.shape}")
    n, T = z.shape
    T_max = T if T_max is None else T_max
    d, T_max, seed, pe = _check_build(bigram, d, T_max, seed, pe)
    if T > T_max:
        raise ValueError(f"T = {T} exceeds T_max = {T_max}")
    beta1, beta2, beta_O, gamma = _check_scales(beta1, beta2, beta_O, gamma)
    bb, tt = np.nonzero(f[:, 1:] >= 2)  # position t predicts the repeated trigger output z_{t+1}
    if bb.size == 0:
        raise ValueError("flags hold no repeated trigger output (flags >= 2); draw more or longer sequences")
    w_E, w_U, P, W_OV1, W_V2 = _frozen(bigram, d, T_max, seed)
    Ppos = P[:T] if pe == "ape" else np.zeros((T, d))
    x = w_E[z] + Ppos[None]  # (n, T, d)
    cmean = np.cumsum(x, axis=1) / np.arange(1, T + 1)[None, :, None]  # mean_{s <= t} x_s
    if pe == "ape":
        K1 = _query_side(_step(x[:, 1:].reshape(-1, d), x[:, :-1].reshape(-1, d), cmean[:, 1:].reshape(-1, d)))
    else:
        key = np.zeros(d)
        for t in range(1, T):
            key += P[1] - P[: t + 1].mean(0)
        key /= key @ P[1] - np.mean(P[:T] @ key)
        K1 = Memory(key[None], key[None])
    # induction head: candidates W_OV1 x_{s-1} (first position: its own), target after the last occurrence
    xprev = np.concatenate([x[:, :1], x[:, :-1]], axis=1)
    cprev = np.cumsum(xprev, axis=1) / np.arange(1, T + 1)[None, :, None]
    s_star = np.empty(bb.size, np.int64)
    for i, (b_, t_) in enumerate(zip(bb, tt)):
        s_star[i] = np.flatnonzero(z[b_, :t_] == z[b_, t_])[-1] + 1
    K2 = _query_side(_step(w_E[z[bb, tt]], xprev[bb, s_star] @ W_OV1.T, cprev[bb, tt] @ W_OV1.T))
    ubar = w_U.mean(0)
    O2 = _compact(_step(w_E[z[bb, tt + 1]] @ W_V2.T, w_U[z[bb, tt + 1]], ubar))
    bF, tF = np.nonzero(f[:, 1:] == 0)
    F = _compact(_step(w_E[z[bF, tF]], w_U[z[bF, tF + 1]], ubar))
    return InductionModel(w_E, w_U, P, W_OV1, W_V2, K1, K2, O2, F, beta1, beta2, beta_O, gamma, pe)


def positional_recall(model: InductionModel, T: Optional[int] = None) -> float:
    """Previous-token recall of the positional part of layer 1 alone.

    The fraction of positions ``t = 1..T-1`` for which ``s = t - 1`` maximises
    the positional score over ``s <= t``: ``p_t^T W_K^1 p_s`` (APE) or
    ``r_1^T r_{t-s}`` (RPE). Token embeddings are left out (they add their own
    crosstalk; ``probes`` measures the full head).

    Parameters
    ----------
    model : InductionModel
    T : int, optional
        Sequence length (default ``model.T_max``).

    Returns
    -------
    float

    Examples
    --------
    >>> from hopfield.bigram import synthetic_bigram
    >>> bg = synthetic_bigram(4, seed=0)
    >>> positional_recall(build_induction_model(bg, d=64, T_max=64, seed=0))
    1.0
    """
    if not isinstance(model, InductionModel):
        raise TypeError(f"model must be an InductionModel, got {type(model).__name__}")
    T = model.T_max if T is None else v.as_int(T, "T", minimum=2, maximum=model.T_max)
    S = _positional_scores(model, T)
    if model.pe == "rpe":  # offset 1 must beat offsets 0 and 2..t: a running maximum
        rivals = np.maximum(S[0], np.maximum.accumulate(np.concatenate([[-np.inf], S[2:]])))  # t = 1..T-1
        return float(np.mean(S[1] > rivals))
    S = np.where(np.tril(np.ones((T, T), bool)), S, -np.inf)
    return float(np.mean(S[1:].argmax(1) == np.arange(T - 1)))
