"""MQAR sampled on the device: the layout of hopfield.mqar, and its gap law, compared with the NumPy generator."""

import numpy as np
import pytest
from scipy import stats

jax = pytest.importorskip("jax")

from hopfield.mqar import make_mqar  # noqa: E402
from simulations.train import mqar_data as D  # noqa: E402

#: Slow stage (CI runs it): compiling the device sampler costs several seconds of the default suite.
pytestmark = pytest.mark.slow

V, L, PM, N = 64, 32, 8, 3000


def _draw(P, n, seed=0, power_a=0.01):
    """``n`` sequences with ``P`` pairs; one compiled shape (N rows, PM query columns) serves every test."""
    b = D.sample(jax.random.PRNGKey(seed), N, P, vocab_size=V, max_pairs=PM, seq_len=L, power_a=power_a)
    return [np.asarray(x)[:n] for x in b]


@pytest.mark.parametrize("P", [1, 3, 8])
def test_layout_and_ranges(P):
    tok, pos, ans, valid = _draw(P, 200, seed=P)
    half = V // 2
    assert valid.sum(1).tolist() == [P] * 200 and not valid[:, P:].any()
    keys, values = tok[:, 0:2 * P:2], tok[:, 1:2 * P:2]
    assert ((keys >= 1) & (keys < half)).all() and ((values >= half) & (values < V)).all()
    for s in range(200):
        assert len(set(keys[s])) == P and len(set(values[s])) == P
        q = pos[s, :P]
        assert (np.diff(q) > 0).all() and ((q - 2 * P) % 2 == 0).all() and (q >= 2 * P).all()
        rest = np.setdiff1d(np.arange(2 * P, L), q)
        assert (tok[s, rest] == D.FILLER).all()  # filler everywhere but the queries
        assert sorted(tok[s, q].tolist()) == sorted(keys[s].tolist())  # every key queried once
        pair = {int(k): int(v) for k, v in zip(keys[s], values[s])}
        assert [pair[int(k)] for k in tok[s, q]] == ans[s, :P].tolist()


def _gof(slots, law):
    """Chi-square goodness of fit of slot counts to probabilities ``law`` (cells with expectation < 5 merged)."""
    obs = np.bincount(slots, minlength=law.size).astype(float)
    exp = law * slots.size
    keep = exp >= 5
    obs = np.append(obs[keep], obs[~keep].sum())
    exp = np.append(exp[keep], exp[~keep].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    return stats.chisquare(obs, exp).pvalue


def test_single_pair_gap_is_the_law():
    """P = 1: the query's slot has exactly the law's probabilities; a wrong exponent is caught."""
    law = D.gap_law(L, 1, 0.01)
    tok, pos, *_ = _draw(1, N, seed=11)
    assert _gof((pos[:, 0] - 2) // 2, law) > 1e-3
    _, bad, *_ = _draw(1, N, seed=11, power_a=0.5)  # mutant: the exponent of the law is wrong
    assert _gof((bad[:, 0] - 2) // 2, law) < 1e-6


def _two_sample(a, b):
    m = max(a.max(), b.max()) + 1
    table = np.stack([np.bincount(a, minlength=m), np.bincount(b, minlength=m)])
    table = table[:, table.sum(0) >= 10]
    return stats.chi2_contingency(table).pvalue


def test_gap_slots_match_the_numpy_generator():
    """P = 4: the smallest and largest gap slot of each sequence (independent across sequences) have the same
    law as in ``make_mqar``; the device generator with a wrong exponent does not."""
    P, n = 4, N
    ref = make_mqar(n, vocab_size=V, num_pairs=P, seq_len=L, seed=5)
    rs = (ref.query_pos - 2 * P) // 2
    _, pos, *_ = _draw(P, n, seed=21)
    js = (pos[:, :P] - 2 * P) // 2
    _, bad, *_ = _draw(P, n, seed=21, power_a=0.2)
    bs = (bad[:, :P] - 2 * P) // 2
    for f in (np.min, np.max):
        assert _two_sample(f(rs, axis=1), f(js, axis=1)) > 1e-3 / 2
        assert _two_sample(f(rs, axis=1), f(bs, axis=1)) < 1e-6


def test_check_shape_names_the_field():
    with pytest.raises(ValueError, match="seq_len"):
        D.check_shape(64, 16, 32, 0.01)
    with pytest.raises(ValueError, match="pairs"):
        D.check_shape(16, 8, 64, 0.01)
    with pytest.raises(ValueError, match="power_a"):
        D.check_shape(64, 4, 32, 0.0)
