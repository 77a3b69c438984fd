"""Delta-rule theory: the symbolic fixed point, and the one-pass error against exact small cases."""

import numpy as np
import pytest

from simulations.estimators.kv import delta_one_pass
from theory import kv_memory as tkv


def test_fixed_point_is_exact_symbolically_and_numerically():
    fp = tkv.delta_fixed_point()
    assert fp["residual"].is_zero_matrix and fp["pinv_check"].is_zero_matrix
    rng = np.random.default_rng(0)
    K, V = rng.normal(size=(5, 3)), rng.normal(size=(2, 3))  # d = 5, M = 3 keys as columns
    W = V @ np.linalg.inv(K.T @ K) @ K.T
    np.testing.assert_allclose(W @ K, V, atol=1e-12)
    np.testing.assert_allclose(W, V @ np.linalg.pinv(K), atol=1e-12)


def test_one_pass_limits():
    assert tkv.delta_one_pass_error(64, 1) == 0.0  # one key, written with eta = 1/|k|^2, is exact
    for M in (2, 5, 10):  # the recursion tends to (M-1)/(2d) as d grows at fixed M
        d = 1e5
        assert tkv.delta_one_pass_error(d, M) == pytest.approx(tkv.delta_one_pass_leading().evaluate(d=d, M=M),
                                                               rel=1e-3)
    with pytest.raises(ValueError, match="d > 2"):
        tkv.delta_one_pass_error(2, 4)


def exact_two_pairs(d):
    """Mean over the two keys of |W k_j - v_j|^2 after writing two Gaussian pairs, exactly.

    Key 2 is exact; key 1's residual is c (v_2 - c' v_1) with c = k2.k1/|k2|^2 and c' = k1.k2/|k1|^2, so
    E|R|^2 = E c^2 + E c^2 c'^2 = 1/(d-2) + E cos^4 = 1/(d-2) + 3/(d(d+2)).
    """
    return 0.5 * (1 / (d - 2) + 3 / (d * (d + 2)))


def test_exact_two_pair_value_against_simulation():
    d, n = 16, 6000
    err = delta_one_pass(d, 2, n, seed=3)
    z = (err.mean() - exact_two_pairs(d)) / (err.std(ddof=1) / np.sqrt(n))
    assert abs(z) < 4  # 4 standard errors: a false alarm about once in 16000 runs


def test_recursion_close_to_the_exact_two_pair_value():
    # the recursion drops the correlation of s_t and c_tj (E cos^4 = 3/d^2 vs 1/d^2): 2.7% low at d = 64
    for d in (16, 64, 256):
        assert tkv.delta_one_pass_error(d, 2) == pytest.approx(exact_two_pairs(d), rel=0.12 if d == 16 else 0.04)
        assert tkv.delta_one_pass_error(d, 2) < exact_two_pairs(d)
