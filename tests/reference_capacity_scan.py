"""Slow twin of the capacity-scan kernel (hopfield.kernels.capacity), with Python integers."""

from __future__ import annotations

from tests.reference import SplitMix64, classical_run, hebbian_J


def capacity_trial_reference(N: int, P: int, n_flip: int, max_sweeps: int, state: int):
    """One capacity trial from the SplitMix64 start word ``state``, from the definition.

    Patterns: entry ``(mu, i)`` is bit ``k % 64`` of the ``k // 64``-th draw,
    ``k = mu N + i`` (a set bit is +1). Cue: pattern 0 with the first
    ``n_flip`` positions of a partial Fisher-Yates shuffle of ``0..N-1``
    flipped. Dynamics: :func:`tests.reference.classical_run` (fields
    recomputed from ``N W`` at every visit) on the same stream. Returns
    ``(overlap xi^0 . s as an int, converged, sweeps)``.
    """
    rng = SplitMix64(state)
    bits = []
    while len(bits) < P * N:
        word = rng.next_u64()
        bits.extend((word >> b) & 1 for b in range(64))
    xi = [[1 if bits[mu * N + i] else -1 for i in range(N)] for mu in range(P)]
    pos = list(range(N))
    for k in range(n_flip):
        j = k + rng.below(N - k)
        pos[k], pos[j] = pos[j], pos[k]
    cue = list(xi[0])
    for i in pos[:n_flip]:
        cue[i] = -cue[i]
    s, converged, sweeps, _, _ = classical_run(hebbian_J(xi), cue, rng.state, "async", 0.0, max_sweeps,
                                               False, 1.0 / N, 2.0 * N)
    return sum(a * b for a, b in zip(xi[0], s)), converged, sweeps
