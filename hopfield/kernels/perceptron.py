"""Numba kernel of perceptron learning with a stability margin (MinOver).

MinOver (Krauth & Mezard 1987) learns couplings ``J`` for ``P`` patterns
``xi^mu`` in ``{-1, +1}^N`` with targets ``y_mu = +-1``: start from ``J = 0`` and
repeatedly add ``y_mu xi^mu`` for the pattern of smallest aligned field
``h_mu = y_mu J . xi^mu`` (ties: the lowest index), until every stability
``Delta_mu = h_mu / |J|`` reaches ``kappa`` or ``max_updates`` is spent. It
converges to the couplings of optimal stability.

All arithmetic is integer: ``J = sum_mu c_mu y_mu xi^mu`` with update counts
``c_mu``, the fields are kept exactly through the ``(P, P)`` matrix
``C_nu,mu = y_nu y_mu xi^nu . xi^mu`` (an update of ``mu`` adds column ``mu``
to ``h``) and ``|J|^2`` grows by ``2 h_mu + N``. The stop test
``h_min > 0 and h_min^2 >= kappa^2 |J|^2`` is exact in float64 while
``|J|^2 < 2^53``. The learning is deterministic: no random numbers.
"""

import numpy as np
from numba import njit

from hopfield.kernels.threads import run_trials


@njit(cache=True)
def minover_one(C, N, kappa, max_updates, counts, h):
    """MinOver on one problem; ``counts`` (P,) and ``h`` (P,) int64 start at 0 and are filled.

    Returns ``(converged, updates, J2)`` with ``J2 = |J|^2``.
    """
    P = C.shape[0]
    J2 = np.int64(0)
    k2 = kappa * kappa
    updates = np.int64(0)
    while True:
        mu = 0
        hmin = h[0]
        for nu in range(1, P):
            if h[nu] < hmin:
                hmin = h[nu]
                mu = nu
        if updates > 0 and hmin > 0 and float(hmin) * float(hmin) >= k2 * float(J2):
            return True, updates, J2
        if updates >= max_updates:
            return False, updates, J2
        J2 += 2 * hmin + N
        for nu in range(P):
            h[nu] += C[nu, mu]
        counts[mu] += 1
        updates += 1


def minover_batch(C, N, kappa, max_updates, counts, h, converged, updates, J2):
    """MinOver on ``B`` independent problems: ``C`` (B, P, P) int64; outputs (B, P), (B, P), (B,) x 3.

    The problems are spread over threads (:func:`minover_range`, a serial
    kernel that releases the GIL: it compiles faster than a ``prange`` twin).
    """
    run_trials(minover_range, C.shape[0], C, N, kappa, max_updates, counts, h, converged, updates, J2)


@njit(cache=True, nogil=True)
def minover_range(b0, b1, C, N, kappa, max_updates, counts, h, converged, updates, J2):
    """:func:`minover_batch` on problems ``b0 <= b < b1``."""
    for b in range(b0, b1):
        ok, u, j2 = minover_one(C[b], N, kappa, max_updates, counts[b], h[b])
        converged[b] = ok
        updates[b] = u
        J2[b] = j2
