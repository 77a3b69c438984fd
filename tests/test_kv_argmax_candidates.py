"""The region of validity of theory.kv_memory.argmax_accuracy across the number of candidates V.

At M = d^2/4 the Gaussian formula errs by at most about 1.1/d (its docstring) from V = 2 up to V = M
candidates; the formula with one candidate too many (V + 1: an off-by-one in the distractor count) lies
outside that band at small V, where the maximum is shallow and the count matters most. (At M = d^2/8 the
formula is low by 1.6-2.0/d at d = 64, V = 8: the law does not extend to small M/d^2.)
"""

import numpy as np
import pytest

import theory.kv_memory as tkv
from simulations.estimators import kv as sk

D, M, N_MEM = 32, 256, 300
VS = (2, 8, 32, 256)  # 256 = M: as many candidates as stored pairs
ERROR = 1.1 / D  # the docstring's law


def _misses(seed, theory):
    """Candidates V whose simulated accuracy lies outside theory(V) +- (tolerance + 2.576 se)."""
    out = []
    for V in VS:
        acc = sk.recall_accuracy("hebbian", D, M, V, "other", N_MEM, seed)
        se = acc.std(ddof=1) / np.sqrt(N_MEM)
        if abs(acc.mean() - theory(V)) > ERROR + 2.576 * se:
            out.append(V)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 8])
def test_error_model_holds_across_candidates(seed):
    """About 8 s a seed (1200 memories of 256 pairs at d = 32)."""
    assert _misses(seed, lambda V: float(tkv.argmax_accuracy(D, M, V, "other"))) == []
    wrong = _misses(seed, lambda V: float(tkv.argmax_accuracy(D, M, V + 1, "other")))
    assert 2 in wrong, wrong
