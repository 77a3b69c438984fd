"""The float memories' GPU path against the CPU, to tolerances derived from rounding, per dtype.

Under Numba's CUDA simulator (the test suite's default, tests/conftest.py)
``hopfield._device.array_module("gpu")`` is numpy, so ``device="gpu"`` runs the
very xp-generic formulas that run with CuPy on a GPU: what these tests compare
is that code against the CPU code (Numba kernels, BLAS). The ``gpu``-marked
test repeats the comparisons with CuPy at d = 256 (AMLAB_REAL_GPU=1 python -m pytest -m gpu).

The tolerances are bounds, not fits. ``u`` is the unit roundoff of the dtype
(2^-24 in float32, 2^-53 in float64) and ``gamma_n = n u / (1 - n u)``. A sum of
terms each of which went through at most ``n`` roundings (products, then
additions in ANY order: pairwise, blocked, fused multiply-adds) differs from
the exact sum by at most ``gamma_n`` times the sum of the terms' absolute values
(Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., Ch. 3-4).
Two implementations of one formula each lie within that bound of the exact
value, so they lie within twice it of each other. Each helper below states
``n`` for its formula; the absolute sums are computed in float64 from the
inputs. Each test also shows that its comparison fails when the input is
perturbed (a mutant) by an amount above the bound.
"""

import numpy as np
import pytest

from hopfield import _device, kv, sparse
from hopfield._xp import gamma, unit_roundoff
from hopfield.modern import ModernHopfield
from simulations.estimators import sparse_capacity as sc

DTYPES = [np.float32, np.float64]


def _softmax64(S):
    S = S - S.max(axis=1, keepdims=True)
    E = np.exp(S)
    return E / E.sum(axis=1, keepdims=True)


def attention_bound(Q, K, Vv, beta, dtype):
    """Bound on ``|a - b|`` for two evaluations of ``softmax(beta Q K^T) V`` in ``dtype``.

    Scores ``s_i = q . k_i``: error ``e_i <= gamma_{d+1} (|q| . |k_i|)`` (d products
    summed, times beta). A score error ``e`` changes every softmax weight by at
    most the factor ``exp(2 beta max_i e_i)``, i.e. relatively by
    ``~2 beta max_i e_i``; the shift, exp, sum of P terms and division add
    ``gamma_{P+4}``. The output ``sum_i p_i v_i`` adds ``gamma_P`` of
    ``sum_i p_i |v_i|``. Per implementation: ``(2 beta max_i e_i + 2 gamma_{P+4})
    (p |V|)`` to first order; doubled for two implementations, with a factor 1.01
    for the second-order terms.
    """
    Q, K, Vv = (np.asarray(x, np.float64) for x in (Q, K, Vv))
    d, P = K.shape[1], K.shape[0]
    e = gamma(d + 1, dtype) * (np.abs(Q) @ np.abs(K).T)  # (B, P)
    p = _softmax64(beta * (Q @ K.T))
    rho = 2 * beta * e.max(axis=1, keepdims=True) + 2 * gamma(P + 4, dtype)
    return 2 * 1.01 * rho * (p @ np.abs(Vv))


def hebbian_stream_bound(K, Vv, Q, dtype):
    """Bound for the linear stream ``o_t = sum_{s <= t} v_s (k_s . q_t)``.

    Each term ``v_sa k_sb q_tb`` passes through 2 products and at most
    ``L + d_k + 2`` additions in either form (the CPU's running ``W_t`` then
    ``W_t q_t``; the GPU's chunk products and carried state): ``n = L + d_k + 4``.
    The absolute sum is the same stream on ``|k|, |v|, |q|``.
    """
    L, dk = K.shape[1], K.shape[2]
    A = np.abs(Q) @ np.swapaxes(np.abs(K), 1, 2) * np.tril(np.ones((L, L)))
    return 2 * gamma(L + dk + 4, dtype) * (A @ np.abs(Vv))


def normalized_stream_bound(K, Vv, Q, dtype):
    """Bound for the normalised stream ``o_t = n_t / d_t`` on ``phi = elu + 1`` (all positive).

    ``phi`` itself: at most 2 roundings per entry on either side, so ``n = L + d_k + 8``.
    Numerator error ``<= gamma_n T_t`` (``T_t`` its absolute sum), denominator
    relative error ``<= gamma_n`` (positive terms), division ``u``:
    ``|Delta o| <= gamma_n T_t / d_t + (gamma_n + u) |o_t|`` per implementation
    (first order; factor 1.01), doubled.
    """
    L, dk = K.shape[1], K.shape[2]
    F, G = kv.elu1(np.asarray(K, np.float64)), kv.elu1(np.asarray(Q, np.float64))
    A = G @ np.swapaxes(F, 1, 2) * np.tril(np.ones((L, L)))
    den = A.sum(axis=2)[..., None]
    T = A @ np.abs(Vv)
    o = (A @ np.asarray(Vv, np.float64)) / den
    g = gamma(L + dk + 8, dtype)
    return 2 * 1.01 * (g * T / den + (g + unit_roundoff(dtype)) * np.abs(o))


def delta_stream_bound(K, Vv, Q, rates, lam, dtype):
    """Bound for the delta-rule stream, from a float64 run of the recursion.

    One step ``W' = lam W + eta r k^T`` with ``r = v - lam W k``: rounding gives
    ``|Delta r| <= gamma_{d_k+2} (|v| + lam |W| |k|)`` and each entry of ``W'``
    three more roundings, so in Frobenius norm the local error is at most
    ``delta_t = gamma_{d_k+5} (lam ||W|| + eta ||r|| ||k|| + eta ||k|| (||v|| + lam ||W|| ||k||))``.
    The map ``W -> lam W (I - eta k k^T)`` has norm <= 1 for ``0 <= eta |k|^2 <= 2``
    and ``lam <= 1``: earlier errors do not grow. So ``||Delta W_t|| <= sum_{s <= t}
    delta_s``, and the read ``W_t q_t`` errs by at most ``||Delta W_t|| ||q_t|| +
    gamma_{d_k} ||W_t|| ||q_t||`` (a bound on every entry). Doubled for two
    implementations, factor 1.01 for the float64 run's own rounding.
    """
    S, L, dk = K.shape
    out = np.empty((S, L))
    g, g0 = gamma(dk + 5, dtype), gamma(dk, dtype)
    for s in range(S):
        W = np.zeros((Vv.shape[2], dk))
        acc = 0.0
        for t in range(L):
            k, v, q, eta = (np.asarray(x, np.float64) for x in (K[s, t], Vv[s, t], Q[s, t], rates[s, t]))
            nW, nk = np.linalg.norm(W), np.linalg.norm(k)
            r = v - lam * W @ k
            acc += g * (lam * nW + eta * np.linalg.norm(r) * nk + eta * nk * (np.linalg.norm(v) + lam * nW * nk))
            W = lam * W + eta * np.outer(r, k)
            out[s, t] = acc * np.linalg.norm(q) + g0 * np.linalg.norm(W) * np.linalg.norm(q)
    return 2 * 1.01 * out[..., None]


def _within(a, b, bound):
    return bool(np.all(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)) <= bound))


# ------------------------------------------------------------------ modern Hopfield


@pytest.mark.parametrize("dtype", DTYPES)
def test_modern_update_and_retrieve_gpu_path_match_cpu(dtype):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 24)).astype(dtype)
    net = ModernHopfield(X, beta=0.7)
    q = (X[:6] + 0.5 * rng.normal(size=(6, 24))).astype(dtype)
    cpu, gpu = net.update(q), net.update(q, device="gpu")
    assert gpu.dtype == dtype and isinstance(gpu, np.ndarray) and gpu.shape == q.shape
    bound = attention_bound(q, X, X, 0.7, dtype)
    assert _within(gpu, cpu, bound)
    # retrieve keeps the iteration on the device: same states to the bound of one step per step (3 steps,
    # each contracting towards a pattern): 3x the one-step bound
    assert _within(net.retrieve(q, 3, device="gpu"), net.retrieve(q, 3), 3 * bound)
    # mutant: a model with beta off by 1e-3 gives updates outside the bound
    assert not _within(ModernHopfield(X, beta=0.7 * 1.001).update(q, device="gpu"), cpu, bound)
    # one query in, one out
    assert net.update(q[0], device="gpu").shape == (24,)


@pytest.mark.parametrize("dtype", DTYPES)
def test_modern_energy_gpu_path_matches_cpu(dtype):
    """The GPU's log-sum-exp is its own (max-shifted) formula, the CPU's is scipy's.

    Scores err by ``e <= beta gamma_{d+1} max_i |q| . |x_i|``; the log-sum-exp by ``e``
    plus ``gamma_{N+4} (1 + |lse|)``; ``q . q / 2`` by ``gamma_{d+1} q . q / 2``; the sum of
    the four terms by ``gamma_4`` of their absolute sum. Per implementation, doubled.
    """
    rng = np.random.default_rng(2)
    X = rng.normal(size=(30, 16)).astype(dtype)
    beta = 0.9
    net = ModernHopfield(X, beta=beta)
    q = rng.normal(size=(5, 16)).astype(dtype)
    cpu, gpu = net.energy(q), net.energy(q, device="gpu")
    q64, X64 = q.astype(np.float64), X.astype(np.float64)
    z = beta * q64 @ X64.T
    lse = z.max(axis=1) + np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1))
    e = beta * gamma(17, dtype) * (np.abs(q64) @ np.abs(X64).T).max(axis=1)
    qq = 0.5 * (q64 * q64).sum(axis=1)
    terms = np.abs(lse) / beta + qq + np.log(30) / beta + 0.5 * net.M ** 2
    bound = 2 * 1.01 * ((e + gamma(34, dtype) * (1 + np.abs(lse))) / beta + gamma(17, dtype) * qq
                        + gamma(4, dtype) * terms)
    assert gpu.dtype == dtype and _within(gpu, cpu, bound)
    assert isinstance(net.energy(q[0], device="gpu"), float)
    assert not _within(gpu, cpu + 100 * bound, bound)  # a shift above the bound is caught


# ------------------------------------------------------------------ key-value memories


def _memories(dtype, dk, dv):
    return [kv.HebbianMemory(dk, dv, dtype=dtype),
            kv.HebbianMemory(dk, dv, normalize=True, feature_map="elu+1", dtype=dtype),
            kv.DeltaMemory(dk, dv, dtype=dtype),
            kv.SoftmaxMemory(dk, dv, beta=1.3, chunk=4, dtype=dtype)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_kv_reads_and_recall_gpu_path_match_cpu(dtype):
    rng = np.random.default_rng(3)
    dk, dv = 12, 5
    K, Vv = rng.normal(size=(20, dk)).astype(dtype), rng.normal(size=(20, dv)).astype(dtype)
    Q = (K[:9] + 0.1 * rng.normal(size=(9, dk))).astype(dtype)
    for mem in _memories(dtype, dk, dv):
        mem.write(K, Vv)
        cpu, gpu = mem.read(Q), mem.read(Q, device="gpu")
        assert gpu.dtype == dtype and gpu.shape == cpu.shape
        if isinstance(mem, kv.SoftmaxMemory):
            bound = attention_bound(Q, K, Vv, 1.3, dtype)
        else:  # one product F W^T (d_k terms) and, normalised, a division by F z (positive, d_k terms)
            F = mem._phi(Q.astype(np.float64)) if isinstance(mem, kv.HebbianMemory) else Q.astype(np.float64)
            W = mem.W.astype(np.float64)
            bound = 2 * gamma(dk + 1, dtype) * (np.abs(F) @ np.abs(W).T)
            if getattr(mem, "normalize", False):
                den = (F @ mem.z.astype(np.float64))[:, None]
                bound = 2 * 1.01 * (bound / 2 / den + (gamma(dk + 1, dtype) + unit_roundoff(dtype))
                                    * np.abs(cpu.astype(np.float64)))
        assert _within(gpu, cpu, bound), type(mem).__name__
        assert not _within(gpu, cpu + 1e-3 * np.abs(cpu).max(), bound)  # a mutant of the read is caught
        assert np.array_equal(mem.recall(Q, Vv, device="gpu"), mem.recall(Q, Vv))
        assert mem.read(Q[0], device="gpu").shape == (dv,)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rule", ["linear", "normalized", "delta"])
def test_stream_gpu_path_matches_the_numba_kernels(dtype, rule):
    """The chunkwise (linear, normalised) and batched (delta) GPU forms against the CPU kernels.

    L = 150 spans three chunks of 64, so the carried state is exercised.
    """
    rng = np.random.default_rng(4)
    S, L, dk, dv = 3, 150, 8, 5
    K = rng.normal(size=(S, L, dk)).astype(dtype)
    Vv = rng.normal(size=(S, L, dv)).astype(dtype)
    Q = rng.normal(size=(S, L, dk)).astype(dtype)
    kw = {"decay": 0.95} if rule == "delta" else {}
    cpu = kv.stream(K, Vv, Q, rule, **kw)
    gpu = kv.stream(K, Vv, Q, rule, device="gpu", **kw)
    assert gpu.dtype == dtype and gpu.shape == cpu.shape
    if rule == "linear":
        bound = hebbian_stream_bound(K, Vv, Q, dtype)
    elif rule == "normalized":
        bound = normalized_stream_bound(K, Vv, Q, dtype)
    else:
        sq = np.einsum("sld,sld->sl", K, K, dtype=np.float64)
        rates = (1.0 / sq).astype(dtype)
        bound = delta_stream_bound(K, Vv, Q, rates, 0.95, dtype)
    assert _within(gpu, cpu, bound)
    # mutant: one value changed at position 70 (second chunk) by a tenth of the values' scale moves later
    # output of that sequence by more than the bound
    V2 = Vv.copy()
    V2[1, 70, 0] += dtype(0.1)
    assert not _within(kv.stream(K, V2, Q, rule, device="gpu", **kw), cpu, bound)
    assert kv.stream(K[0], Vv[0], Q[0], rule, device="gpu", **kw).shape == (L, dv)


# ------------------------------------------------------------------ sparse network


def test_sparse_fields_and_update_gpu_path_match_cpu():
    """float64 fields: (V X^T) X has N + P summed terms; times c and minus the diagonal: n = N + P + 3."""
    rng = np.random.default_rng(5)
    a, N, P = 0.1, 200, 25
    xi = (rng.random((P, N)) < a).astype(np.int8)
    states = xi[:4]
    cpu, gpu = sparse.covariance_fields(xi, states, a), sparse.covariance_fields(xi, states, a, device="gpu")
    X = xi - a
    c = 1.0 / (N * a * (1 - a))
    bound = 2 * gamma(N + P + 3, np.float64) * c * ((states @ np.abs(X).T) @ np.abs(X) + states * (X * X).sum(0))
    assert gpu.dtype == np.float64 and _within(gpu, cpu, bound)
    assert not _within(sparse.covariance_fields(xi, states, a + 1e-9, device="gpu"), cpu, bound)
    assert np.array_equal(sparse.update(xi, states, a, 0.3, device="gpu"), sparse.update(xi, states, a, 0.3))


@pytest.mark.parametrize("alpha", [0.05, 0.15, 0.3])
def test_sparse_retrieval_exact_path_matches_float32_cpu(alpha):
    """The GPU's exact-integer fields against the CPU's float32 run.

    The decisions ``h_i > theta`` agree unless a field lies within float32 rounding
    of theta (not at these seeds: same steps, same outcome). The CPU's overlap is
    a float32 dot product of N terms of ``float32(xi - a) V``: it errs by at most
    ``c gamma_{N+2} sum_j |X_0j| V_j`` (float32); its activity is an exact float32
    count divided once (``u`` relative); the exact path errs by a few float64 roundings.
    """
    rng = np.random.default_rng(6)
    a, N, theta = 0.1, 300, 0.45
    xi = (rng.random((int(alpha * N), N)) < a).astype(np.int8)
    cpu = sc.retrieval_run(xi, a, theta, 30)
    gpu = sc.retrieval_run(xi, a, theta, 30, device="gpu")
    ex = sc.retrieval_run_exact(xi, a, theta, 30)
    assert gpu == ex and gpu[2:] == cpu[2:]
    c = 1.0 / (N * a * (1 - a))
    u32 = unit_roundoff(np.float32)
    m_bound = c * gamma(N + 2, np.float32) * N * (1 - a) + gamma(8, np.float64) * abs(cpu[0])
    assert abs(gpu[0] - cpu[0]) <= m_bound and abs(gpu[1] - cpu[1]) <= 2 * u32 * cpu[1]
    # mutant: the rule's coding level off by 1e-4 moves the overlap beyond the bound
    assert abs(sc.retrieval_run_exact(xi, a + 1e-4, theta, 30)[0] - cpu[0]) > m_bound


def test_kept_fraction_passes_the_device_down(monkeypatch):
    kw = dict(seed=3, N=200, a=0.1, alpha=0.2, theta=0.45, networks=3, max_steps=20)
    cpu, gpu = sc.kept_fraction(**kw), sc.kept_fraction(**kw, device="gpu")
    assert (cpu["kept"], cpu["trials"], cpu["P"]) == (gpu["kept"], gpu["trials"], gpu["P"])
    assert abs(cpu["M_kept"] - gpu["M_kept"]) < 1e-5 and abs(cpu["q_kept"] - gpu["q_kept"]) < 1e-6
    calls = []
    monkeypatch.setattr(sc, "retrieval_run_exact", lambda *args: calls.append(args) or (1.0, 0.1, 1, False))
    sc.kept_fraction(**kw, device="gpu")
    assert len(calls) == 3  # the GPU path is what ran
    monkeypatch.setenv("AMLAB_DEVICE", "gpu")  # device=None follows $AMLAB_DEVICE (the command line's --device)
    sc.kept_fraction(**kw)
    assert len(calls) == 6
    monkeypatch.setenv("AMLAB_DEVICE", "cpu")
    sc.kept_fraction(**kw)
    assert len(calls) == 6


def test_retrieval_exact_switches_to_float64_at_two_to_the_24(monkeypatch):
    """Above 2^24 the float32 product G = xi^T A would round: the float64 product is used instead."""
    assert sc.product_dtype(4095, 4096) is np.float32 and sc.product_dtype(4096, 4096) is np.float64
    assert float(np.float32(2**24 + 1)) != 2**24 + 1  # why: the first integer float32 cannot hold
    rng = np.random.default_rng(7)
    xi = (rng.random((30, 200)) < 0.1).astype(np.int8)
    ref = sc.retrieval_run_exact(xi, 0.1, 0.45, 20)
    used = []
    monkeypatch.setattr(sc, "product_dtype", lambda s, a: used.append(s * a) or np.float64)
    assert sc.retrieval_run_exact(xi, 0.1, 0.45, 20) == ref and used  # same exact integers through float64


# ------------------------------------------------------------------ validation


def test_device_is_validated_before_work(monkeypatch):
    net = ModernHopfield(np.eye(3), beta=1.0)
    mem = kv.HebbianMemory(3).write(np.eye(3), np.eye(3))
    for call in (lambda d: net.update(np.ones(3), device=d), lambda d: mem.read(np.ones(3), device=d),
                 lambda d: kv.stream(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), device=d),
                 lambda d: sparse.covariance_fields([[0, 1]], [0, 1], 0.5, device=d),
                 lambda d: sc.kept_fraction(seed=0, N=10, a=0.1, alpha=0.1, theta=0.4, networks=1, device=d)):
        with pytest.raises(ValueError, match="device must be one of"):
            call("tpu")

    def no_gpu(device):
        raise _device.DeviceUnavailableError("device='gpu' needs CuPy")

    monkeypatch.setattr(_device, "array_module", no_gpu)
    with pytest.raises(_device.DeviceUnavailableError, match="CuPy"):
        net.update(np.ones(3), device="gpu")
    with pytest.raises(_device.DeviceUnavailableError):
        kv.stream(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), device="gpu")


# ------------------------------------------------------------------ on a real GPU


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", DTYPES)
def test_cupy_matches_cpu_at_d_256(dtype):
    """CuPy against the CPU at d = 256, to the same bounds (AMLAB_REAL_GPU=1 python -m pytest -m gpu)."""
    assert _device.array_module("gpu") is not np, "run with AMLAB_REAL_GPU=1 on a machine with a GPU and CuPy"
    rng = np.random.default_rng(8)
    d = 256
    X = (rng.normal(size=(2000, d)) / np.sqrt(d)).astype(dtype)
    q = (X[:64] + 0.3 * rng.normal(size=(64, d)) / np.sqrt(d)).astype(dtype)
    net = ModernHopfield(X, beta=8.0)
    assert _within(net.update(q, device="gpu"), net.update(q), attention_bound(q, X, X, 8.0, dtype))
    mem = kv.SoftmaxMemory(d, d, beta=8.0, dtype=dtype).write(X, X)
    assert _within(mem.read(q, device="gpu"), mem.read(q), attention_bound(q, X, X, 8.0, dtype))
    S, L = 4, 200
    K, Vv, Q = (rng.normal(size=(S, L, d)).astype(dtype) / np.sqrt(d) for _ in range(3))
    assert _within(kv.stream(K, Vv, Q, "linear", device="gpu"), kv.stream(K, Vv, Q, "linear"),
                   hebbian_stream_bound(K, Vv, Q, dtype))
    assert _within(kv.stream(K, Vv, Q, "normalized", device="gpu"), kv.stream(K, Vv, Q, "normalized"),
                   normalized_stream_bound(K, Vv, Q, dtype))
    rates = (1.0 / np.einsum("sld,sld->sl", K, K, dtype=np.float64)).astype(dtype)
    assert _within(kv.stream(K, Vv, Q, "delta", device="gpu"), kv.stream(K, Vv, Q, "delta"),
                   delta_stream_bound(K, Vv, Q, rates, 1.0, dtype))
    xi = (rng.random((300, 2000)) < 0.1).astype(np.int8)
    cpu, gpu = sc.retrieval_run(xi, 0.1, 0.45, 30), sc.retrieval_run(xi, 0.1, 0.45, 30, device="gpu")
    assert gpu[2:] == cpu[2:] and abs(gpu[0] - cpu[0]) < 1e-4
