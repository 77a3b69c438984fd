import numba
import numpy as np
import pytest

from simulations.estimators._common import _streams
from simulations.estimators import discover, evaluate

ESTIMATORS = discover()  # every family registered


def test_registry_and_validation():
    assert {"classical-bit-error", "classical-fixed-points", "ags-overlap", "dense-bit-error",
            "dense-random-starts", "exp-recovery", "modern-retrieval-bound"} <= set(ESTIMATORS)
    with pytest.raises(ValueError, match="unknown estimator"):
        evaluate("nope", {}, 0)
    with pytest.raises(ValueError, match="unknown"):
        evaluate("classical-bit-error", {"Q": 1}, 0)
    with pytest.raises(TypeError, match="plain number"):
        evaluate(lambda seed: {"x": [1, 2]}, {}, 0)
    with pytest.raises(TypeError, match="must return a dict"):
        evaluate(lambda seed: 3, {}, 0)
    assert evaluate(lambda seed, a: {"x": np.float32(a), "b": np.bool_(True)}, {"a": 2}, 0) == {"x": 2.0, "b": True}


@pytest.mark.parametrize("name, params", [
    ("classical-bit-error", {"N": 200, "alpha": 0.2, "networks": 3}),
    ("ags-overlap", {"N": 200, "alpha": 0.12, "networks": 2, "cues": 5}),
    ("dense-random-start", {"N": 40, "K": 200, "n": 3, "starts": 8}),
    ("exp-recovery", {"N": 16, "alpha": 0.2, "rho": 0.125, "cues": 8}),
])
def test_same_seed_same_numbers_for_any_thread_count(name, params):
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = evaluate(name, params, 123)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = evaluate(name, params, 123)
    finally:
        numba.set_num_threads(before)
    assert one == two
    assert evaluate(name, params, 124) != one


def test_bit_error_counts_match_a_direct_computation():
    # the estimator's count equals errors of h = W xi computed here with numpy (zero diagonal)
    from hopfield.patterns import random_binary

    r = evaluate("classical-bit-error", {"N": 120, "P": 30, "networks": 2}, 5)
    errors = 0
    for rng in _streams(5, 2):
        xi = random_binary(30, 120, seed=rng).astype(np.int64)
        W = xi.T @ xi
        np.fill_diagonal(W, 0)
        errors += int(np.count_nonzero((xi @ W) * xi < 0))
    assert r["errors"] == errors and r["bits"] == 2 * 30 * 120
