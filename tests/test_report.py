"""The reproduce report stands alone: embedded figures, run metadata, the check-table columns explained,
a caption under every figure, group-readable files; nothing cites a file outside the project. The page
is valid HTML (html5lib's strict parser), opens with a table of contents, links every check to its
figures and derivations and back, and shows verdicts in colour with their words."""

import base64
import os
import re
import stat
from pathlib import Path

import numpy as np
import pytest

import amlab.demos
from amlab.cli import main
from simulations.checks import registry
from simulations.checks.registry import register_check
from simulations.checks.runner import COLUMNS
from simulations.checks.stats import binomial_point

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def toy_world(monkeypatch):
    import figures.catalog  # noqa: F401
    import simulations.checks.suite  # noqa: F401  (registered before the registry is swapped out)
    import simulations.estimators  # noqa: F401
    import theory.catalog  # noqa: F401
    import matplotlib.pyplot as plt

    from figures import registry as fr
    from figures import style

    monkeypatch.setattr(fr, "FIGURES", {})
    monkeypatch.setattr(registry, "CHECKS", {})
    monkeypatch.setattr(amlab.demos, "DEMOS", {})  # reproduce runs no real demo here

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
    import simulations.checks.report as report

    monkeypatch.setattr(report, "image_src", lambda path, src: src)
    out = tmp_path / "rep"
    main(["reproduce", "--quick", "--out", str(out)])
    page = (out / "report.html").read_text()
    assert re.search(r'<img[^>]+src="(?!data:)', page)


def test_html_escapes_text():
    from simulations.checks.report import Paragraph, Table, to_html

    page = to_html([Paragraph(["a <b> & c"]), Table(["x<y"], [[["</td>"]]])])
    assert "a &lt;b&gt; &amp; c" in page and "x&lt;y" in page and "&lt;/td&gt;" in page


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


# ------------------------------------------------ navigation, links, colours, valid HTML

XHTML = "{http://www.w3.org/1999/xhtml}"


def parse_strict(page: str):
    """The page's element tree from html5lib's strict parser (a ParseError on any HTML parse error)."""
    import html5lib

    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)


def page_problems(page: str) -> list:
    """What is wrong with a report page: a parse error, a list item outside a list, an internal link
    to no anchor, an anchor given twice."""
    import html5lib

    try:
        tree = parse_strict(page)
    except html5lib.html5parser.ParseError as exc:
        return [f"parse error: {exc}"]
    problems = []
    parents = {child: parent for parent in tree.iter() for child in parent}
    problems += [f"<li> inside <{parents[li].tag}>" for li in tree.iter("li") if parents[li].tag not in ("ul", "ol")]
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    problems += [f"anchor {i!r} twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    problems += [f"link to a missing anchor {a.get('href')!r}" for a in tree.iter("a")
                 if a.get("href", "").startswith("#") and a.get("href")[1:] not in ids]
    return problems


@pytest.fixture
def linked_world(toy_world):
    """Two cheap checks, one failing, that declare a figure and two cheap derivations."""

    @register_check("loaded-coin", title="a loaded coin", theory="p = 1/2", test="binomial", quick={"n": 400},
                    full={"n": 400}, figures=("toy-figure", "a-figure-not-built"),
                    derivations=("amicl-large-D", "classical-fixed-points"))
    def loaded(*, seed, n):
        k = int(np.random.default_rng(seed).binomial(n, 0.8))
        return [binomial_point("loaded", k, n, 0.5, 0.0, level=0.99)]

    c = registry.CHECKS["coin"]
    registry.CHECKS["coin"] = type(c)(**{**c.__dict__, "figures": ("toy-figure",),
                                         "derivations": ("classical-fixed-points",)})


def test_report_is_valid_html_with_contents_links_and_colours(linked_world, tmp_path):
    out = tmp_path / "rep"
    assert main(["reproduce", "--quick", "--out", str(out)]) == 1  # the loaded coin fails
    page = (out / "report.html").read_text()
    assert page_problems(page) == []
    tree = parse_strict(page)
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    # contents first: a <nav> linking every section, check, figure and derivation
    nav = tree.find(".//nav")
    targets = [a.get("href") for a in nav.iter("a")]
    for want in ("#reading", "#checks", "#check-coin", "#check-loaded-coin", "#figures", "#figure-toy-figure",
                 "#derivations", "#derivation-classical-fixed-points", "#derivation-amicl-large-D", "#references"):
        assert want in targets and want[1:] in ids, want
    # each check's section links its declared figure and derivations; what was not built stays text
    hrefs = {}
    for a in tree.iter("a"):
        hrefs.setdefault(a.get("href"), []).append("".join(a.itertext()))
    assert "#figure-a-figure-not-built" not in hrefs and "a-figure-not-built" in page
    section = _section(tree, "check-loaded-coin")
    links = [a.get("href") for e in section for a in e.iter("a")]
    assert {"#figure-toy-figure", "#derivation-amicl-large-D", "#derivation-classical-fixed-points"} <= set(links)
    # and back: the figure and the derivations name the checks that use them
    assert {"#check-coin", "#check-loaded-coin"} <= {a.get("href") for e in _section(tree, "figure-toy-figure")
                                                     for a in e.iter("a")}
    assert {"#check-coin", "#check-loaded-coin"} <= {a.get("href") for e in
                                                     _section(tree, "derivation-classical-fixed-points")
                                                     for a in e.iter("a")}
    # the derivation itself is printed, step by step
    from theory.derivation import DERIVATIONS

    der = DERIVATIONS["classical-fixed-points"]()
    section = _section(tree, "derivation-classical-fixed-points")
    steps = [li for e in section if e.tag == "ol" for li in e.iter("li")]
    assert der.title in "".join(_text(section)) and len(steps) == len(der.steps)
    assert all(li.find("pre") is not None and der.steps[i].text in "".join(li.itertext())
               for i, li in enumerate(steps))
    # verdicts: coloured spans whose words say the same
    spans = [s for s in tree.iter("span") if "verdict" in (s.get("class") or "")]
    words = {(s.get("class"), "".join(s.itertext())) for s in spans}
    assert ("verdict pass", "PASS") in words and ("verdict fail", "FAIL") in words
    assert all(("pass" in c) == (w in ("PASS", "yes")) for c, w in words)
    style = "".join(tree.find(".//style").itertext())
    assert ".verdict.pass" in style and ".verdict.fail" in style and "#1a7f37" in style and "#cf222e" in style
    # the Markdown twin carries the same contents and anchors
    md = (out / "report.md").read_text()
    assert "## Contents" in md and "[coin](#check-coin)" in md and '<a id="check-coin"></a>' in md


def _section(tree, anchor):
    """The elements from the heading with id ``anchor`` to the next heading of the same or a higher level."""
    body = tree.find("body")
    kids = list(body)
    start = next(i for i, e in enumerate(kids) if e.get("id") == anchor)
    level = kids[start].tag
    out = [kids[start]]
    for e in kids[start + 1:]:
        if e.tag in ("h1", "h2") and e.tag <= level:
            break
        out.append(e)
    return out


def _text(elements):
    return ["".join(e.itertext()) for e in elements]


def test_page_checks_catch_broken_pages(linked_world, tmp_path):
    # mutants of a good page: each one of the properties above broken
    out = tmp_path / "rep"
    main(["reproduce", "--quick", "--out", str(out)])
    page = (out / "report.html").read_text()
    assert page_problems(page) == []
    assert any("missing anchor '#check-coin'" in p for p in page_problems(page.replace('id="check-coin"', 'id="x"')))
    assert any("<li> inside <body>" in p for p in page_problems(page.replace("<body>", "<body><li>loose</li>", 1)))
    assert any("parse error" in p for p in page_problems(page.replace("<!DOCTYPE html>\n", "", 1)))
    assert any("parse error" in p for p in page_problems(page.replace("</table>", "</tabel>", 1)))
    assert any("twice" in p for p in page_problems(page.replace('id="checks"', 'id="contents"', 1)))


def test_the_old_regex_page_is_caught():
    # what report.html was: list items straight in <body> after the Markdown of the run's metadata
    old = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>r</title></head><body>\n"
           "<h1>amlab report</h1>\n<li>Mode: quick</li>\n<li>Checks: 1/1 passed</li>\n</body></html>\n")
    assert page_problems(old) == ["<li> inside <body>", "<li> inside <body>"]


def test_declared_links_name_registered_figures_and_derivations():
    import figures.catalog  # noqa: F401
    import simulations.checks.suite  # noqa: F401
    import theory.catalog  # noqa: F401
    from figures.registry import FIGURES
    from theory.derivation import DERIVATIONS

    # the package's checks (not those of tests, nor of docs snippets, whose functions have no module)
    checks = [c for c in registry.CHECKS.values() if (c.func.__module__ or "").startswith("simulations.checks")]
    assert checks
    for c in checks:
        assert set(c.figures) <= set(FIGURES), (c.name, c.figures)
        assert set(c.derivations) <= set(DERIVATIONS), (c.name, c.derivations)
    assert sum(bool(c.figures) for c in checks) >= 30 and sum(bool(c.derivations) for c in checks) >= 25
    with pytest.raises(TypeError, match="tuple of names"):
        register_check("x", title="x", theory="x", test="x", quick={}, full={}, figures="toy-figure")
