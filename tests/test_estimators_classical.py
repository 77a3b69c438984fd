"""The estimators of the classical-family simulations behind figures: tiny sizes, determinism, and equality
with the simulation functions they wrap (which the checks and figures call)."""

import csv
import math

import numpy as np
import pytest

from simulations.core.seeds import derive_seed
from simulations.estimators import discover, evaluate, get_estimator
from simulations.estimators import basins, finite_t, mixtures, pseudo_inverse, sparse, storkey

ESTIMATORS = discover()


def _mean_se(x):
    x = np.asarray(x, float).ravel()
    return float(np.mean(x)), float(np.std(x, ddof=1) / math.sqrt(len(x)))


def _basins(seed, p):
    ms = basins.parallel_overlaps(seed=seed, N=p["N"], alpha=p["alpha"], m0=p["m0"], networks=p["networks"],
                                  cues=p["cues"])
    (m1, s1), (m2, s2) = _mean_se(ms[:, 0]), _mean_se(ms[:, 1])
    return {"m1_mean": m1, "m1_se": s1, "m2_mean": m2, "m2_se": s2, "n": p["networks"]}


def _radius(seed, p):
    r = basins.basin_radius(seed=seed, N=p["N"], alpha=p["alpha"], fractions=np.linspace(0.05, 0.5, p["fractions"]),
                            trials=p["trials"])
    return {"successes": sum(r["successes"]), "P": r["P"], "radius": r["radius"], "se": r["se"]}


def _glauber(seed, p):
    m, s = _mean_se(finite_t.glauber_overlaps(seed=seed, N=p["N"], alpha=p["alpha"], T=p["T"],
                                              networks=p["networks"], cues=p["cues"], sweeps=p["sweeps"]))
    return {"m_mean": m, "m_se": s}


def _pinv(seed, p):
    fixed, m1 = pseudo_inverse.projection_runs(seed=seed, N=p["N"], alpha=p["alpha"], m0=p["m0"],
                                               networks=p["networks"], cues=p["cues"])
    m, s = _mean_se(m1)
    return {"all_fixed": int(fixed.sum()), "m1_mean": m, "m1_se": s}


def _sparse(seed, p):
    r = sparse.one_step_errors(seed=seed, N=p["N"], a=p["a"], alpha=p["alpha"], theta=p["theta"],
                               networks=p["networks"], cues=p["cues"])
    (a, sa), (i, si) = _mean_se(r[:, 0]), _mean_se(r[:, 1])
    return {"active_mean": a, "active_se": sa, "inactive_mean": i, "inactive_se": si}


def _mixture(seed, p):
    ov = mixtures.mixture_runs(seed=seed, N=p["N"], P=p["P"], T=p["T"], runs=p["runs"], sweeps=p["sweeps"])
    kept = [row for row in ov if row.min() > mixtures.KEPT]
    m, s = _mean_se([row.mean() for row in kept])
    return {"kept": len(kept), "m_kept_mean": m, "m_kept_se": s}


def _storkey(seed, p):
    # the grid as the figure and the check build it
    Ps = np.unique(np.round(np.asarray(storkey.GRID) * storkey.storkey_asymptote(p["N"])).astype(int))
    all_fixed, _ = storkey.storkey_stability(seed=seed, N=p["N"], Ps=Ps, networks=p["networks"])
    p_half, se = storkey.half_capacity(Ps, all_fixed)
    return {"P_half": p_half, "se": se, "all_fixed": int(all_fixed[:, -1].sum())}


CASES = [
    ("basins-two-step", {"N": 200, "alpha": 0.1, "m0": 0.4, "networks": 3, "cues": 4}, _basins),
    ("basin-radius", {"N": 100, "alpha": 0.05, "fractions": 6, "trials": 8}, _radius),
    ("ags-glauber", {"N": 200, "alpha": 0.05, "T": 0.4, "networks": 3, "cues": 2, "sweeps": 5}, _glauber),
    ("pseudo-inverse", {"N": 60, "alpha": 0.5, "m0": 0.6, "networks": 3, "cues": 4}, _pinv),
    ("sparse-one-step", {"N": 300, "a": 0.1, "alpha": 0.3, "theta": 0.4, "networks": 3, "cues": 4}, _sparse),
    ("mixture-stability", {"N": 300, "P": 4, "T": 0.1, "runs": 4, "sweeps": 5}, _mixture),
    ("storkey-capacity", {"N": 40, "networks": 12}, _storkey),
]


@pytest.mark.parametrize("name, params, direct", CASES, ids=[c[0] for c in CASES])
def test_estimator_is_deterministic_and_equals_its_simulation(name, params, direct):
    out = evaluate(name, params, 7)
    assert out == evaluate(name, params, 7)
    assert all(isinstance(v, (int, float, bool)) for v in out.values())
    want = direct(7, get_estimator(name).resolve(params))
    assert {k: out[k] for k in want} == pytest.approx(want, rel=1e-12, abs=0, nan_ok=True)
    # the comparison has teeth: another seed gives other numbers, and so does the simulation at it
    other = direct(8, get_estimator(name).resolve(params))
    assert other != pytest.approx(want, rel=1e-12, abs=0, nan_ok=True)
    assert {k: evaluate(name, params, 8)[k] for k in want} == pytest.approx(other, rel=1e-12, abs=0, nan_ok=True)


def test_new_estimators_are_registered_by_their_family_modules():
    from simulations.estimators import ORDER

    assert {c[0] for c in CASES} <= set(ESTIMATORS)
    assert {"basins", "finite_t", "pseudo_inverse", "sparse", "mixtures", "storkey"} <= set(ORDER)
    assert {ESTIMATORS[c[0]].func.__module__ for c in CASES} == {m.__name__ for m in
                                                                 (basins, finite_t, pseudo_inverse, sparse, mixtures,
                                                                  storkey)}


def test_bad_parameters_are_refused_before_work():
    with pytest.raises(ValueError, match="d_min must be below d_max"):
        evaluate("basin-radius", {"d_min": 0.5, "d_max": 0.2}, 0)
    with pytest.raises(ValueError, match="m0"):
        evaluate("basins-two-step", {"m0": 1.5}, 0)
    with pytest.raises(ValueError, match="rule"):
        evaluate("pseudo-inverse", {"rule": "storkey"}, 0)


def test_estimator_gives_a_figure_point():
    # the ags-glauber figure's point at (N, alpha, T) for master seed 0 is the estimator at the figure's seed
    p = {"N": 200, "alpha": 0.05, "T": 0.6, "networks": 3, "cues": 2, "sweeps": 5}
    seed = derive_seed(0, {"fig": "ags-glauber", "N": p["N"], "alpha": p["alpha"], "T": p["T"]})
    sims = finite_t.glauber_overlaps(seed=seed, **p)
    assert evaluate("ags-glauber", p, seed)["m_mean"] == float(np.mean(sims))


def test_amlab_sweep_runs_a_tiny_point(tmp_path, capsys):
    from amlab.cli import main

    out = tmp_path / "s"
    assert main(["sweep", "sparse-one-step", "--grid", "alpha=0.3", "--param", "N=300", "--param", "networks=2",
                 "--param", "cues=3", "--seed", "4", "--out", str(out)]) == 0
    assert "1 points computed" in capsys.readouterr().out
    (row,) = list(csv.DictReader((out / "records.csv").open()))
    point = {"alpha": 0.3, "N": 300, "networks": 2, "cues": 3}
    want = evaluate("sparse-one-step", point, int(row["seed"]))
    assert int(row["seed"]) == derive_seed(4, get_estimator("sparse-one-step").validate(point))
    assert float(row["active_mean"]) == pytest.approx(want["active_mean"], rel=1e-12)
    assert float(row["inactive_mean"]) == pytest.approx(want["inactive_mean"], rel=1e-12)


def test_classical_basin_retrieval_gives_a_figure_point():
    from simulations.estimators import classical

    p = {"N": 60, "alpha": 0.1, "flip": 0.1, "flip_max": 0.4, "flip_steps": 5, "networks": 3, "sweeps": 5}
    seed = derive_seed(0, {"N": p["N"], "alpha": p["alpha"]})  # the classical-basins figure's seed
    flips = np.round(np.linspace(0.0, p["flip_max"], p["flip_steps"]), 3)
    ret, m1, sd = classical.basin_runs(p["N"], p["alpha"], flips, p["networks"], seed, sweeps=p["sweeps"])
    r = evaluate("classical-basin-retrieval", p, seed)
    assert (r["retrieved"], r["m1_mean"], r["m1_sd"]) == (int(ret[1]), float(m1[1]), float(sd[1]))
    other = evaluate("classical-basin-retrieval", {**p, "flip": 0.3}, seed + 1)
    assert (other["m1_mean"], other["m1_sd"]) != (float(m1[3]), float(sd[3]))
    with pytest.raises(ValueError, match="grid"):
        evaluate("classical-basin-retrieval", {**p, "flip": 0.15}, 0)


def test_ags_glauber_series_gives_a_figure_point():
    p = {"N": 80, "alpha": 0.05, "T": 0.7, "Ts": "0.2,0.7,1.2", "networks": 3, "sweeps": 4}
    seed = derive_seed(0, {"N": p["N"], "alpha": p["alpha"]})  # the ags-phase-diagram figure's seed
    m, sd = finite_t.glauber_series(p["N"], p["alpha"], [0.2, 0.7, 1.2], p["networks"], seed, p["sweeps"])
    r = evaluate("ags-glauber-series", p, seed)
    assert (r["m_mean"], r["m_sd"]) == (float(m[1]), float(sd[1]))
    assert evaluate("ags-glauber-series", p, seed + 1)["m_mean"] != r["m_mean"]
    with pytest.raises(ValueError, match="not one of"):
        evaluate("ags-glauber-series", {**p, "T": 0.5}, 0)


def test_modern_estimators_give_figure_points():
    from hopfield.modern import ModernHopfield
    from simulations.estimators import modern

    seed = derive_seed(0, {"figure": "modern-retrieval"})  # the modern-retrieval figure's error seed
    X, i0, xi = modern.median_separation_cues(seed, 8, 6, 4.0, 0.05, 5)
    err = np.linalg.norm(np.asarray(ModernHopfield(X, 0.5).update(xi)) - X[i0], axis=1)
    p = {"d": 8, "n_patterns": 6, "beta": 0.5, "r": 0.05, "cues": 5}
    r = evaluate("modern-median-error", p, seed)
    assert (r["mean"], r["max"], r["pattern"]) == (float(err.mean()), float(err.max()), i0)
    assert evaluate("modern-median-error", p, seed + 1)["mean"] != r["mean"]
    # the census of the figure's set k at one beta
    seed_k = derive_seed(0, {"set": 1})
    betas = np.geomspace(0.02, 3.0, 4)
    dist, part = modern.fixed_point_census(modern.census_patterns(seed_k, 8, 6, 4.0), betas, steps=50)
    q = {"d": 8, "n_patterns": 6, "beta": float(betas[2]), "steps": 50}
    c = evaluate("modern-fixed-point-census", q, seed_k)
    assert (c["distinct"], c["participation"]) == (int(dist[2]), float(part[2]))
    assert evaluate("modern-fixed-point-census", q, seed_k + 1)["participation"] != c["participation"]


def test_gardner_minover_gives_a_figure_point():
    from hopfield.perceptron import capacity_trials

    p = {"N": 12, "P": 14, "kappa": 0.5, "trials": 8, "max_updates": 2000}
    seed = derive_seed(0, {"fig": "gardner", "P": p["P"], "kappa": p["kappa"]})  # the gardner-perceptron figure's
    want = int(capacity_trials(12, 14, 0.5, 8, max_updates=2000, seed=seed).converged.sum())
    assert evaluate("gardner-minover", p, seed)["solved"] == want
    results = {evaluate("gardner-minover", p, s)["solved"] for s in (seed, seed + 1, seed + 2, seed + 3)}
    assert len(results) > 1  # other seeds give other problems
