"""The reproduce report stands alone: embedded figures, run metadata, the check-table columns explained,
a caption under every figure, group-readable files; nothing cites a file outside the project."""

import base64
import os
import re
import stat
from pathlib import Path

import numpy as np
import pytest

from amlab.cli import main
from simulations import registry
from simulations.registry import register_check
from simulations.runner import COLUMNS, markdown_to_html
from simulations.stats import binomial_point

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def toy_world(monkeypatch):
    import figures.catalog  # noqa: F401
    import simulations.checks  # noqa: F401  (registered before the registry is swapped out)
    import simulations.estimators  # noqa: F401
    import theory.catalog  # noqa: F401
    import matplotlib.pyplot as plt

    from figures import registry as fr
    from figures import style

    monkeypatch.setattr(fr, "FIGURES", {})
    monkeypatch.setattr(registry, "CHECKS", {})

    @register_check("coin", title="a fair coin", theory="p = 1/2", test="binomial", quick={"n": 200},
                    full={"n": 400})
    def coin(*, seed, n):
        k = int(np.random.default_rng(seed).binomial(n, 0.5))
        return [binomial_point("coin", k, n, 0.5, 0.0, level=0.99)]

    @fr.register_figure("toy-figure", title="a toy")
    def toy(out_dir, *, quick, seed):
        with style.context():
            fig, ax = plt.subplots(figsize=style.size(1))
            ax.plot([0, 1], [0, 1])
        return style.save(fig, out_dir, "toy-figure", data={"x": [0, 1]}, seed=seed, quick=quick,
                          caption="A diagonal line drawn for the report test.", source="new")


def test_report_stands_alone(toy_world, tmp_path, capsys):
    old = os.umask(0o022)
    try:
        out = tmp_path / "rep"
        assert main(["reproduce", "--quick", "--seed", "7", "--out", str(out)]) == 0
    finally:
        os.umask(old)
    page = (out / "report.html").read_text()
    # figures embedded: the PNG bytes themselves are in the page, no link to a file
    png = (out / "figures" / "toy-figure.png").read_bytes()
    assert base64.b64encode(png).decode() in page
    assert not re.search(r'<img[^>]+src="(?!data:)', page)
    for needle in ("Mode: quick", "master seed 7", "amlab ", "Date (UTC)", "Machine:", "Timings: checks",
                   "How to read the check tables", "margin", "A diagonal line drawn for the report test.",
                   "Regenerates: new"):
        assert needle in page, needle
    for name, _ in COLUMNS:
        assert f"<li>{name}:" in page
    assert "REFERENCES.md" not in page
    # files 0644 and folders 0755 under umask 022
    for p in out.rglob("*"):
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o755 if p.is_dir() else 0o644), (p, oct(mode))


def test_every_figure_in_report_has_a_caption(toy_world, tmp_path):
    out = tmp_path / "rep"
    main(["reproduce", "--quick", "--out", str(out)])
    md = (out / "report.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    captions = re.findall(r"^Figure \d+\. .+", md, flags=re.M)
    assert images and len(captions) == len(images)


def test_embedding_mutant_is_caught(toy_world, tmp_path, monkeypatch):
    """Mutant: the report links figures instead of embedding them; the stand-alone test must notice."""
    import simulations.runner as runner

    monkeypatch.setattr(runner, "_embed_images", lambda html, base: html)
    out = tmp_path / "rep"
    main(["reproduce", "--quick", "--out", str(out)])
    page = (out / "report.html").read_text()
    assert re.search(r'<img[^>]+src="(?!data:)', page)


def test_markdown_to_html_escapes_text():
    assert "&lt;b&gt;" in markdown_to_html("a <b> c")


def test_no_citation_of_a_missing_file():
    """Nothing in the package, checks, docs or tests cites REFERENCES.md (not part of the project)."""
    hits = []
    for folder in ("hopfield", "theory", "simulations", "figures", "amlab", "docs", "benchmarks", "tests"):
        for p in (ROOT / folder).rglob("*"):
            if p.suffix in (".py", ".md", ".json") and p.name != "test_report.py":
                if "REFERENCES.md" in p.read_text(encoding="utf-8", errors="replace"):
                    hits.append(str(p.relative_to(ROOT)))
    for p in (ROOT / "README.md", ROOT / "pyproject.toml"):
        if "REFERENCES.md" in p.read_text():
            hits.append(p.name)
    assert not hits, hits
