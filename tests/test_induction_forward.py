"""The fast induction forward pass: its Numba kernels, its two routes (reads applied before or after the
T x T attention), its causal tiles, maps=False, and bit-identity across thread counts and workers.

Each comparison is against a slow twin (tests/reference_induction.py); the tests marked "mutant" apply a
plausible bug by monkeypatching and assert that the same comparison catches it.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from hopfield import induction as ind
from hopfield.bigram import synthetic_bigram
from hopfield.induction import build_induction_model, forward
from hopfield.induction_data import trigger_sequences
from hopfield.kernels import induction as kern
from tests.reference_induction import causal_softmax_slow, forward_slow, layer1_softmax_slow

BG = synthetic_bigram(8, seed=0)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-13), (np.float32, 1e-5)])
def test_layer1_kernel_matches_slow_twin(dtype, tol):
    rng = np.random.default_rng(0)
    B, T, V = 3, 9, 5
    z = rng.integers(V, size=(B, T))
    tabs = [rng.normal(0, 3, s) for s in ((V, V), (V, T), (T, V), (T, T))]
    A = np.full((B, T, T), np.nan, dtype)  # the kernel must write every entry, zeros above the diagonal
    C = np.full((B, T, V), np.nan, dtype)
    kern.layer1_softmax(0, B, z, *[t.astype(dtype) for t in tabs], A, C)
    A_ref, C_ref = layer1_softmax_slow(z, *tabs)
    assert np.allclose(A, A_ref, rtol=0, atol=tol) and np.allclose(C, C_ref, rtol=0, atol=tol)
    assert np.all(np.triu(A, 1) == 0)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-13), (np.float32, 1e-5)])
def test_causal_softmax_kernel_matches_slow_twin(dtype, tol):
    S = np.random.default_rng(1).normal(0, 4, (2, 11, 11))
    A = S.astype(dtype)
    A[:, np.triu_indices(11, 1)[0], np.triu_indices(11, 1)[1]] = np.nan  # never read
    kern.causal_softmax(0, 2, A)
    assert np.allclose(A, causal_softmax_slow(S), rtol=0, atol=tol)


def test_add_rows_kernel():
    rng = np.random.default_rng(2)
    z = rng.integers(4, size=(2, 5))
    XE, XP, H = rng.normal(size=(4, 3)), rng.normal(size=(5, 3)), rng.normal(size=(2, 5, 3))
    ref = H + XE[z] + XP[None]
    kern.add_rows(0, 2, z, XE, XP, H)
    assert np.allclose(H, ref, rtol=0, atol=1e-15)


# d = 48 with V = 8 reads h1 through 2 r + 2 V = 32 <= d columns (applied before the attention);
# d = 12 forms h1 in d dimensions first. T = 21 with TILE = 8 spans three tiles, the last one partial.
@pytest.mark.parametrize("d", [48, 12])
@pytest.mark.parametrize("pe", ["ape", "rpe"])
def test_both_routes_and_tiles_match_slow_twin(monkeypatch, d, pe):
    monkeypatch.setattr(ind, "TILE", 8)
    monkeypatch.setattr(ind, "BLOCK", 2)
    m = build_induction_model(BG, d=d, T_max=24, seed=3, pe=pe, beta1=4.0, beta2=3.0, beta_O=2.0, gamma=0.7)
    tok, _ = trigger_sequences(BG, 3, 21, K=2, seed=1)
    out = forward(m, tok)
    for i in range(3):
        A1, A2, lg = forward_slow(m, tok[i])
        assert np.allclose(out.A1[i], A1, rtol=0, atol=1e-12) and np.allclose(out.A2[i], A2, rtol=0, atol=1e-12)
        assert np.allclose(out.logits[i], lg, rtol=1e-11, atol=1e-11)


def _diagonal_tile_dropped(T):
    """Mutant tiling: each query tile sees only the keys of the tiles before it (its own diagonal tile lost)."""
    return [(r0, min(T, r0 + ind.TILE)) if r0 == 0 else (r0, r0) for r0 in range(0, T, ind.TILE)]


def test_mutant_tiles_without_the_diagonal_are_caught(monkeypatch):
    monkeypatch.setattr(ind, "TILE", 8)
    m = build_induction_model(BG, d=48, T_max=24, seed=3, beta1=4.0, beta2=3.0, beta_O=2.0, gamma=0.7)
    tok, _ = trigger_sequences(BG, 1, 21, K=2, seed=1)
    _, _, lg = forward_slow(m, tok[0])
    assert np.allclose(forward(m, tok).logits[0], lg, rtol=1e-11, atol=1e-11)
    monkeypatch.setattr(ind, "_tiles", _diagonal_tile_dropped)
    assert not np.allclose(forward(m, tok).logits[0], lg, rtol=1e-6, atol=1e-6)


def test_mutant_token_sums_left_out_are_caught(monkeypatch):
    m = build_induction_model(BG, d=48, T_max=24, seed=3, beta1=4.0, beta2=3.0, beta_O=2.0, gamma=0.7)
    tok, _ = trigger_sequences(BG, 1, 21, K=2, seed=1)
    _, _, lg = forward_slow(m, tok[0])
    real = ind._tables

    def no_token_part(model, T, dtype):  # the token part of sum_s A1 W_OV1 x_s forgotten
        tab = real(model, T, dtype)
        return ind._Tables(**{**tab.__dict__, "YE": np.zeros_like(tab.YE)})

    monkeypatch.setattr(ind, "_tables", no_token_part)
    assert not np.allclose(forward(m, tok).logits[0], lg, rtol=1e-6, atol=1e-6)


def test_logits_only_pass_is_the_same_and_probes_refuse_it():
    m = build_induction_model(BG, d=32, T_max=40, seed=0)
    tok, _ = trigger_sequences(BG, 5, 40, K=2, seed=2)
    full, lean = forward(m, tok), forward(m, tok, maps=False)
    assert lean.A1 is None and lean.A2 is None and np.array_equal(full.logits, lean.logits)
    with pytest.raises(ValueError, match="maps=False"):
        ind.probes(m, tok, out=lean)
    with pytest.raises(TypeError, match="maps"):
        forward(m, tok, maps="no")
    with pytest.raises(ValueError, match="workers"):
        forward(m, tok, workers=0)


def test_bit_identical_for_workers_and_numba_threads():
    import numba

    m = build_induction_model(BG, d=32, T_max=40, seed=0)
    tok, _ = trigger_sequences(BG, 11, 40, K=2, seed=2)
    ref = forward(m, tok)
    old = numba.get_num_threads()
    try:
        for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(threads)
            for workers in (1, 3):
                out = forward(m, tok, workers=workers)
                assert all(np.array_equal(a, b) for a, b in zip((out.A1, out.A2, out.logits),
                                                                (ref.A1, ref.A2, ref.logits)))
    finally:
        numba.set_num_threads(old)


_DIGEST = """
import hashlib, numpy as np
from hopfield.bigram import synthetic_bigram
from hopfield.induction import build_induction_model, forward
from hopfield.induction_data import trigger_sequences
bg = synthetic_bigram(16, seed=0)
m = build_induction_model(bg, d=96, T_max=80, seed=0)
tok, _ = trigger_sequences(bg, 9, 80, K=3, seed=1)
for dt in (np.float64, np.float32):
    out = forward(m, tok, dtype=dt)
    print(hashlib.sha256(out.A1.tobytes() + out.A2.tobytes() + out.logits.tobytes()).hexdigest())
"""


def test_bit_identical_across_blas_threads():
    """The same digests with 1 and 2 BLAS threads (set before numpy loads, hence subprocesses)."""
    digests = []
    for n in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": n, "OMP_NUM_THREADS": n, "MKL_NUM_THREADS": n,
               "NUMBA_NUM_THREADS": n, "PYTHONPATH": ROOT}
        res = subprocess.run([sys.executable, "-c", _DIGEST], env=env, cwd=ROOT, capture_output=True, text=True,
                             timeout=600)
        assert res.returncode == 0, res.stderr
        digests.append(res.stdout.split())
    assert digests[0] == digests[1] and len(digests[0]) == 2
