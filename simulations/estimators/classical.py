"""Estimators of the classical Hopfield network: one-step bit errors and fixed points of Hebbian patterns."""

from __future__ import annotations

from typing import Optional

import numpy as np

from simulations.estimators import register_estimator
from simulations.estimators._common import _streams, _n_patterns, _check_classical, _N_CLASSICAL, _P, _ALPHA, _NETWORKS, _KEEP_DIAGONAL, _with


TIE = 1e-9  # fields are multiples of 1/N; anything below 1e-9 in size is an exact zero


@register_estimator("classical-bit-error", title="one-step bit errors of Hebbian patterns (fields at the pattern)",
                    params=[_N_CLASSICAL, _P, _with(_ALPHA, default=0.1), _NETWORKS, _KEEP_DIAGONAL],
                    one_of=[("P", "alpha")], check=_check_classical)
def classical_bit_error(*, seed: int, N: int, P: Optional[int], alpha: float, networks: int,
                        keep_diagonal: bool) -> dict:
    """Errors ``xi_i h_i < 0`` over all bits of all patterns of ``networks`` networks.

    Returns ``errors``, ``ties`` (``h_i = 0``), ``bits`` and per-network rate
    mean and standard deviation (``rate_mean``, ``rate_sd``) for a z-test over
    independent networks.
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    P = _n_patterns(N, P, alpha)
    rates, errors, ties = [], 0, 0
    for rng in _streams(seed, int(networks)):
        xi = random_binary(P, int(N), seed=rng)
        h = ClassicalHopfield(xi, keep_diagonal=bool(keep_diagonal)).fields(xi)  # (P, N)
        s = h * xi
        e = int(np.count_nonzero(s < -TIE))
        errors += e
        ties += int(np.count_nonzero(np.abs(s) <= TIE))
        rates.append(e / (P * int(N)))
    r = np.asarray(rates)
    return {"N": int(N), "P": P, "errors": errors, "ties": ties, "bits": P * int(N) * int(networks),
            "rate_mean": float(r.mean()), "rate_sd": float(r.std(ddof=1)) if r.size > 1 else 0.0}


@register_estimator("classical-fixed-points", title="which stored patterns are fixed points (one network per trial)",
                    params=[_with(_N_CLASSICAL, default=100), _with(_P, default=10), _ALPHA,
                            _with(_NETWORKS, default=100)],
                    one_of=[("P", "alpha")], check=_check_classical, aliases=["classical-fixed-point"])
def classical_fixed_point(*, seed: int, N: int, P: int, alpha: Optional[float], networks: int) -> dict:
    """Per network: is pattern 0 a fixed point, are all patterns, how many are.

    A pattern is a fixed point when ``xi_i h_i > 0`` at every bit (a zero
    field counts as unstable).
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    P = _n_patterns(N, P, alpha)
    first = all_ = fixed = 0
    for rng in _streams(seed, int(networks)):
        xi = random_binary(P, int(N), seed=rng)
        stable = np.all(ClassicalHopfield(xi).fields(xi) * xi > TIE, axis=1)  # (P,)
        first += bool(stable[0])
        all_ += bool(stable.all())
        fixed += int(stable.sum())
    return {"N": int(N), "P": P, "networks": int(networks), "first_fixed": first, "all_fixed": all_,
            "patterns_fixed": fixed}
