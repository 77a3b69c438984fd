"""The capacity-theory figures build at a reduced size, their JSON holds the expected series in range,
their PNG is not blank and their PDF embeds no Type 3 fonts; theory curves are checked against the
closed forms they claim to draw (a wrong formula, patched in, is caught).

The figures' quick sizes are shrunk here (monkeypatched simulators' sizes stay honest: every point is
still a real simulation) so that the whole module runs in well under a minute.
"""

import json

import numpy as np
import pytest
from PIL import Image
from scipy import special, stats

import figures.catalog  # noqa: F401  (registers the figures)
from figures import lint
from figures.registry import FIGURES

THEORY_FIGURES = ["classical-bit-error", "classical-fixed-points", "classical-basins", "ags-overlap",
                  "ags-phase-diagram", "ags-finite-size", "dense-capacity", "dense-bit-error", "exp-recovery",
                  "modern-retrieval"]


#: Problems figures.lint found in each figure as it was saved (filled by the ``built`` fixture).
LINT = {}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("figs")
    with lint.collecting() as found:
        for name in THEORY_FIGURES:
            FIGURES[name].func(out, quick=True, seed=0)
    LINT.update(found)
    return out


@pytest.mark.parametrize("name", THEORY_FIGURES)
def test_lint_clean(built, name):
    # legends clear of the axes' edges and of the data, text of 8 pt or more, integer ticks where declared,
    # a colorbar for every heat map (tests/test_figure_lint.py shows each of these is caught)
    assert LINT[name] == []


def _json(out, name):
    return json.loads((out / f"{name}.json").read_text())


@pytest.mark.parametrize("name", THEORY_FIGURES)
def test_files_caption_source_and_pixels(built, name):
    for ext in ("png", "pdf", "json"):
        assert (built / f"{name}.{ext}").stat().st_size > 500
    meta = _json(built, name)
    assert meta["figure"] == name and meta["size"] == "quick" and meta["interval_level"] == 0.99
    assert len(meta["caption"]) > 80 and meta["source"]
    img = np.asarray(Image.open(built / f"{name}.png").convert("L"), dtype=float)
    assert img.std() > 5  # not blank
    assert img.shape[1] >= 600  # at least one column (3.4 in) at 200 dpi, less the tight crop
    pdf = (built / f"{name}.pdf").read_bytes()
    assert b"/Type3" not in pdf  # TrueType (Type 42) fonts only


def test_classical_bit_error_series(built):
    d = _json(built, "classical-bit-error")["data"]
    for s in d["series"]:
        rate, lo, hi = map(np.asarray, (s["rate"], s["low"], s["high"]))
        assert np.all((0 <= rate) & (rate <= 0.5)) and np.all(lo <= rate + 1e-12) and np.all(rate <= hi + 1e-12)
        # the theory line is Phi(-(N-1+d)/sqrt((N-1)(P-1))), recomputed here from first principles
        N, P = s["N"], np.maximum(np.asarray(s["theory_alpha"]) * s["N"], 2.0)
        dg = P if s["keep_diagonal"] else 0.0
        ref = stats.norm.cdf(-(N - 1 + dg) / np.sqrt((N - 1) * (P - 1)))
        np.testing.assert_allclose(s["theory"], ref, rtol=1e-9)
        # and the simulation lies near it where errors are common (tolerance: 99% interval + 30% slack)
        th_at = stats.norm.cdf(-(N - 1 + np.where(s["keep_diagonal"], s["P"], 0)) /
                               np.sqrt((N - 1) * (np.asarray(s["P"]) - 1)))
        big = th_at > 0.01
        assert np.all((lo[big] <= th_at[big] * 1.3) & (th_at[big] * 0.7 <= hi[big]))


def test_fixed_points_series(built):
    d = _json(built, "classical-fixed-points")["data"]
    for s in d["series"]:
        p = np.asarray(s["fixed"]) / s["networks"]
        assert np.all((0 <= p) & (p <= 1))
        N = s["N"]
        k = 4 if s["which"] == "all" else 2
        assert s["mceliece"] == pytest.approx(N / (k * np.log(N)))
        th = np.asarray(s["theory"])
        assert th[0] > 0.99 and th[-1] < 0.05 and np.all(np.diff(th) <= 1e-12)  # falls from 1 to 0


def test_fixed_points_overlap_conditional_curve(built):
    # the dashed curve is theory.classical.p_fixed_overlap_conditional at the simulated P: above the
    # independent-bit product where that is in (0.05, 0.95) (convexity of (1 - p)^N in p, Jensen), and
    # inside the simulated points' Wilson intervals widened by its own 99% Monte Carlo error
    import theory.classical as tc

    drawn = [s for s in built_series(built) if s["overlap_conditional"] is not None]
    assert {s["which"] for s in drawn} == {"given", "all"}
    for s in drawn:
        P = np.asarray(s["P"])
        c, se = np.asarray(s["overlap_conditional"]), np.asarray(s["overlap_conditional_mc_se"])
        f = tc.p_pattern_fixed() if s["which"] == "given" else tc.p_all_fixed()
        ind = np.array([float(f.evaluate(N=s["N"], P=int(p))) for p in P])
        mid = (ind > 0.05) & (ind < 0.95)
        assert np.all(c[mid] + 2.576 * se[mid] >= ind[mid])
        inside = (np.asarray(s["low"]) - 2.576 * se <= c) & (c <= np.asarray(s["high"]) + 2.576 * se)
        assert inside.mean() >= 0.75, (s["which"], s["N"], inside)


def built_series(built):
    return _json(built, "classical-fixed-points")["data"]["series"]


def test_basins_one_step_curve_is_erf(built):
    d = _json(built, "classical-basins")["data"]
    for s in d["series"]:
        m0 = np.asarray(s["one_step_m0"])
        np.testing.assert_allclose(s["one_step_m1"], special.erf(m0 / np.sqrt(2 * s["alpha"])), rtol=1e-12)
        r = np.asarray(s["retrieved"]) / d["networks"]
        assert r[-1] <= 0.2  # cues with 45% of their bits flipped are not retrieved
        if s["alpha"] <= 0.1:
            assert r[0] >= 0.9  # clean cues are (near alpha_c = 0.138, at N = 300, not always)
        # the simulated one-step overlaps follow the one-step map (stated: 0.05 absolute, N = 300 noise)
        ref = special.erf(np.asarray(s["m0"]) / np.sqrt(2 * s["alpha"]))
        assert np.max(np.abs(np.asarray(s["m1_mean"]) - ref)) < 0.05


def test_ags_overlap_theory_and_simulation(built):
    d = _json(built, "ags-overlap")["data"]
    assert d["alpha_c"] == pytest.approx(0.1379, abs=2e-4)
    th = d["theory"]
    assert th["m"][0] == pytest.approx(1.0, abs=1e-6) and th["m"][-1] == pytest.approx(0.967, abs=2e-3)
    for s in d["series"]:
        a, m = np.asarray(s["alpha"]), np.asarray(s["m_mean"])
        assert np.all(m[a < 0.1] > 0.98)  # well below alpha_c: retrieval


def test_phase_diagram_lines(built):
    d = _json(built, "ags-phase-diagram")["data"]
    a = np.asarray(d["spin_glass_line"]["alpha"])
    np.testing.assert_allclose(d["spin_glass_line"]["T_g"], 1 + np.sqrt(a))
    aM = np.asarray(d["retrieval_line"]["alpha_M"])
    assert aM.max() == pytest.approx(0.138, abs=2e-3) and aM[-1] < 0.005
    Tc = np.asarray(d["global_line"]["T_c"], dtype=float)
    assert np.nanmax(Tc) < 1.0
    sim = d["simulation"]
    m = np.asarray(sim["m_mean"])
    assert m[0] > 0.95 and m[-1] < 0.4  # retrieval at low T, none in the paramagnet


def test_finite_size_extrapolation(built):
    d = _json(built, "ags-finite-size")["data"]
    assert "failure" not in d
    lo, hi = d["interval"]
    assert 0.10 < d["alpha_c_extrapolated"] < 0.18 and lo < d["alpha_c_extrapolated"] < hi


def test_dense_figures(built):
    d = _json(built, "dense-capacity")["data"]
    bars = np.asarray(d["bars"]["memory"]) / d["bars"]["starts"]
    assert bars[0] <= 0.1 and bars[1] <= 0.1 and bars[-1] >= 0.9  # appendix B: n = 2, 3 fail, n = 5 succeeds
    for row in d["K_half"]:
        N = row["N"]
        assert row["low"] <= row["K_half"] <= row["high"]
        assert 0.5 < row["K_half"] / (N**2 / (2 * 3 * np.log(N))) < 2.0
    b = _json(built, "dense-bit-error")["data"]
    assert [s["n"] for s in b["series"]] == [2, 3, 4, 5]
    for s in b["series"]:
        th = np.asarray(s["theory"])
        assert np.all(np.diff(th) >= -1e-12) and 0 < th.min() and th.max() < 0.5
    e = _json(built, "exp-recovery")["data"]
    for s in e["series"]:
        frac = np.asarray(s["recovered"]) / np.asarray(s["cues"])
        f = np.asarray(s["factor"])
        assert np.all(frac[f <= 0.75] >= 0.8)
        assert s["bound"] == pytest.approx(((1 + (1 - 2 * s["rho"])) * np.log(1 + (1 - 2 * s["rho"])) +
                                            (2 * s["rho"]) * np.log(2 * s["rho"])) / 4, rel=1e-9)


def test_modern_error_below_bound_and_regimes(built):
    d = _json(built, "modern-retrieval")["data"]
    beta = np.asarray(d["bound"]["beta"])
    bound = np.interp(d["error"]["beta"], beta, d["bound"]["bound"])
    assert np.all(np.asarray(d["error"]["max"]) <= bound * (1 + 1e-9))
    meta = d["metastable"]
    assert meta["distinct_mean"][0] == pytest.approx(1.0)  # small beta: one global average
    assert meta["distinct_mean"][-1] == pytest.approx(d["N"])  # large beta: one fixed point per pattern


def test_wrong_theory_is_caught(tmp_path, monkeypatch):
    """Mutant: the classical figure draws the kept-diagonal formula for both networks."""
    import theory.classical as tc

    real = tc.bit_error
    monkeypatch.setattr(tc, "bit_error", lambda keep_diagonal=False: real(keep_diagonal=True))
    FIGURES["classical-bit-error"].func(tmp_path, quick=True, seed=0)
    d = json.loads((tmp_path / "classical-bit-error.json").read_text())["data"]
    s = d["series"][0]
    N, P = s["N"], np.maximum(np.asarray(s["theory_alpha"]) * s["N"], 2.0)
    ref = stats.norm.cdf(-(N - 1) / np.sqrt((N - 1) * (P - 1)))
    assert not np.allclose(s["theory"], ref, rtol=1e-3)
