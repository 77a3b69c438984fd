"""Checks of the basins of attraction of the Hebbian network (``theory.basins``).

``basins-two-step``: the overlaps after one and two parallel steps from a cue
with overlap m0, against ``m1 = erf(m0/sqrt(2 alpha))`` and the
Gardner-Derrida-Mottishaw two-step formula. The basin radius itself has no
closed form; :func:`basin_radius` measures it (figure ``basin-radius``).
"""

from __future__ import annotations

import numpy as np

import theory.basins as basins
from simulations.core.fits import logistic_crossing
from simulations.checks.registry import Point, per_case, register_check
from simulations.core.seeds import derive_seed
from simulations.checks.stats import mean_point

#: Allowance for the finite-N error of the N -> oo formulas at N = 2000: the
#: signal is m0 up to 1/N, the crosstalk variance (P-1)/N rather than alpha, and
#: the linear response drops O(1/N) terms per pattern (O(alpha) after summing
#: over patterns, but with random signs: O(sqrt(alpha/N)) ~ 0.007 at alpha = 0.1).
#: Measured deviations at N = 3000 were below 0.005 (10 networks x 8 cues per point).
TWO_STEP_TOLERANCE = 0.01


def parallel_overlaps(*, seed, N, alpha, m0, networks, cues, keep_diagonal=False, n_steps=2):
    """Per-network mean overlaps after 1..``n_steps`` parallel steps from cues with overlap ``m0``.

    Network ``k`` (patterns from stream ``k`` of ``seed``) gets one cue per
    pattern ``0..cues-1``, each with exactly ``round((1 - m0) N / 2)`` bits
    flipped; the dynamics are ``ClassicalHopfield.run(schedule="sync",
    max_sweeps=1)`` applied ``n_steps`` times.

    Returns
    -------
    ndarray of shape (networks, n_steps), float64
        Mean over the network's cues of the overlap with the cued pattern.
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import flip, random_binary

    P = max(2, int(round(alpha * N)))
    c = min(int(cues), P)
    count = int(round((1 - m0) * N / 2))
    out = np.empty((int(networks), n_steps))
    streams = np.random.SeedSequence(int(seed)).spawn(int(networks))
    for k, ss in enumerate(streams):
        rng = np.random.default_rng(ss)
        xi = random_binary(P, int(N), seed=rng)
        net = ClassicalHopfield(xi, keep_diagonal=bool(keep_diagonal))
        s = flip(xi[:c], count=count, seed=rng)  # (c, N)
        for t in range(n_steps):
            s = net.run(s, schedule="sync", max_sweeps=1, seed=0).states
            out[k, t] = float(np.mean(np.einsum("bi,bi->b", s.astype(np.float64), xi[:c]) / N))
    return out


@register_check(
    "basins-two-step",
    families=("classical",), seconds={"quick": 0.6, "full": 38.22},
    figures=("basins-steps",), derivations=("basins",),
    title="overlap after 1 and 2 parallel steps from overlap m0 vs erf(m0/sqrt(2 alpha)) and the "
          "Gardner-Derrida-Mottishaw two-step formula",
    theory="theory.basins.first_step, theory.basins.second_step (Gardner, Derrida & Mottishaw, J. Physique 48, "
           "741 (1987); re-derived by linear response in 'amlab derive basins')",
    test="z-test of the mean over independent networks (each the mean of its cues) against the N -> oo formula, "
         f"tolerance {TWO_STEP_TOLERANCE} for finite-N corrections (see TWO_STEP_TOLERANCE), Holm over all points "
         "at 1%.",
    quick={"N": 2000, "cases": [[0.1, 0.3], [0.3, 0.6]], "networks": 16, "cues": 8},
    full={"N": 5000, "cases": [[0.05, 0.2], [0.1, 0.3], [0.1, 0.6], [0.2, 0.5], [0.2, 0.8], [0.3, 0.6],
                                [0.4, 0.8]], "networks": 100, "cues": 10},
    split=True,
)
def two_step(*, seed, N, cases, networks, cues, keep_diagonal=False):
    """``keep_diagonal=True`` simulates the self-coupled network (W_ii = P/N); the tests use it
    as a simulator mutant the check must reject."""
    return per_case(two_step_case, [dict(zip(('alpha', 'm0'), c)) for c in cases],
                    dict(seed=seed, N=N, networks=networks, cues=cues, keep_diagonal=keep_diagonal),
                    cost=lambda alpha, m0: N * N * (1 + alpha))


def two_step_case(*, seed, alpha, m0, N, networks, cues, keep_diagonal):
    """The two points of ``basins-two-step`` at (alpha, m0)."""
    f1, f2 = basins.first_step(), basins.second_step()
    points = []
    P = max(2, int(round(alpha * N)))
    a = P / N  # the realised load
    m0r = 1 - 2 * round((1 - m0) * N / 2) / N  # the realised overlap of the cues
    ms = parallel_overlaps(seed=derive_seed(seed, {"N": N, "alpha": alpha, "m0": m0, "kd": keep_diagonal}),
                           N=N, alpha=alpha, m0=m0, networks=networks, cues=cues, keep_diagonal=keep_diagonal)
    for t, f in ((0, f1), (1, f2)):
        th = float(f.evaluate(m0=m0r, alpha=a))
        points.append(mean_point(f"m{t + 1} at alpha={alpha}, m0={m0}", ms[:, t], th, TWO_STEP_TOLERANCE,
                                 level=0.99, params={"N": N, "P": P, "alpha": a, "m0": m0r, "step": t + 1}))
    return points


def basin_radius(*, seed, N, alpha, fractions, trials, threshold=0.9, max_sweeps=100):
    """Measured basin radius of asynchronous T = 0 dynamics at load ``alpha``.

    For each fraction ``d`` of flipped bits, ``trials`` independent networks get
    one cue each (pattern 0 with ``round(d N)`` bits flipped); a run succeeds
    when its final overlap with the pattern is at least ``threshold``. The
    radius is the ``d`` where a logistic fit of the success rate crosses 1/2.

    Returns
    -------
    dict
        ``fractions``, ``successes``, ``trials``, ``radius`` and ``se`` (NaN when the
        success rate does not cross 1/2 inside the grid).
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import flip, random_binary

    P = max(1, int(round(alpha * N)))
    k = []
    for d in fractions:
        ok = 0
        sseq = np.random.SeedSequence(derive_seed(seed, {"N": N, "alpha": alpha, "d": float(d)}))
        for ss in sseq.spawn(int(trials)):
            rng = np.random.default_rng(ss)
            xi = random_binary(P, int(N), seed=rng)
            cue = flip(xi[0], fraction=float(d), seed=rng)
            res = ClassicalHopfield(xi).run(cue, schedule="async", max_sweeps=max_sweeps,
                                           seed=int(rng.integers(0, 2**62)))
            ok += bool(res.overlaps[0, 0] >= threshold)
        k.append(ok)
    k = np.asarray(k)
    n = np.full(k.shape, int(trials))
    rate = k / n
    radius = se = float("nan")
    if rate[0] > 0.5 > rate[-1] and 0 < k.sum() < n.sum():
        radius, se = logistic_crossing(np.asarray(fractions, float), k, n)
    return {"fractions": [float(d) for d in fractions], "successes": k.tolist(), "trials": int(trials),
            "P": P, "radius": radius, "se": se}


__all__ = ["parallel_overlaps", "two_step", "basin_radius", "TWO_STEP_TOLERANCE", "Point"]
