"""The documentation site: its link checker, the Formula rendering, the index, the project files; the build (slow)."""

import importlib
import importlib.util
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import amlab_api  # noqa: E402  (docs/_ext)
import check_site  # noqa: E402

PACKAGES = ("hopfield", "theory", "simulations", "figures", "amlab")


# ------------------------------------------------------------------ the link checker
def _site(tmp_path, pages):
    for name, text in pages.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


SOUND = {
    "index.html": '<a href="sub/page.html#s1">p</a> <a href="#top" id="top">top</a> <img src="_static/a.png">'
                  '<a href="https://example.org/x">ext</a> <a href="mailto:a@b.c">m</a> <a href="sub/">dir</a>'
                  '<link rel="stylesheet" href="_static/s.css"><script src="_static/s.js"></script>',
    "sub/page.html": '<h1 id="s1">S</h1><a name="old"></a><a href="../index.html#top">up</a>'
                     '<a href="page.html#old">self</a>',
    "sub/index.html": "<p>dir index</p>",
    "_static/a.png": "png", "_static/s.css": "", "_static/s.js": "",
    # a theme template kept among the static files: not a page, not checked
    "_static/macros.html": '<link href="{{ pathto(\'x\') }}">',
}


def test_check_site_passes_a_sound_site(tmp_path):
    broken, n_pages, n_refs = check_site.check_site(_site(tmp_path, SOUND))
    assert broken == []
    assert n_pages == 3 and n_refs == 8  # 6 + 2; the external, mailto and template references are not counted


@pytest.mark.parametrize("page, reason", [
    ('<a href="missing.html">x</a>', "no such file"),
    ('<img src="_static/missing.png">', "no such file"),
    ('<a href="sub/page.html#nowhere">x</a>', "no element with id 'nowhere'"),
    ('<a href="#nowhere">x</a>', "no element with id 'nowhere'"),
    ('<a href="/index.html">x</a>', "absolute path"),
    ('<a href="../outside.html">x</a>', "points outside the site"),
    ('<script src="_static/gone.js"></script>', "no such file"),
])
def test_check_site_reports_each_kind_of_broken_reference(tmp_path, page, reason):
    broken, _, _ = check_site.check_site(_site(tmp_path / "site", {**SOUND, "bad.html": page}))
    assert len(broken) == 1
    assert broken[0].page == "bad.html" and reason in broken[0].reason


def test_check_site_command_line(tmp_path, capsys):
    site = _site(tmp_path / "site", SOUND)
    assert check_site.main([str(site)]) == 0
    (site / "bad.html").write_text('<img src="nope.png">', encoding="utf-8")
    assert check_site.main([str(site)]) == 1
    assert "bad.html: <img> nope.png: no such file" in capsys.readouterr().out
    assert check_site.main([str(tmp_path / "absent")]) == 2
    (tmp_path / "empty").mkdir()
    assert check_site.main([str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert err.count("check_site: error: root must be a folder of a built HTML site") == 2


# ------------------------------------------------------------------ the quick switch
def test_docs_quick_reads_the_variable_and_refuses_other_values():
    assert amlab_api.docs_quick("1") is True
    assert all(amlab_api.docs_quick(v) is False for v in (None, "", "0"))
    for bad in ("yes", "2", " 1", "true"):
        with pytest.raises(ValueError, match="AMLAB_DOCS_QUICK must be unset, empty, '0' or '1'"):
            amlab_api.docs_quick(bad)


def test_conf_refuses_a_bad_quick_value_before_building(tmp_path):
    pytest.importorskip("sphinx")
    env = {**os.environ, "AMLAB_DOCS_QUICK": "yes", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", str(DOCS), str(tmp_path / "html")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "AMLAB_DOCS_QUICK must be" in run.stderr + run.stdout
    assert not (tmp_path / "html" / "index.html").exists()


# ------------------------------------------------------------------ Formula objects as LaTeX
def test_formula_lines_render_the_returned_formula():
    from theory.classical import bit_error
    from theory.dense import k_max_error_free

    lines = amlab_api.formula_lines(bit_error)
    text = "\n".join(lines)
    math = text.split(".. math::\n\n", 1)[1].split("\n\n", 1)[0]
    assert math.strip() == bit_error().latex()  # the expression shown is the one the function returns
    assert ":Source: Hopfield, PNAS 79 (1982)" in text
    # a required argument is shown at its example value, and the page says so
    dense = "\n".join(amlab_api.formula_lines(k_max_error_free))
    assert "Shown for n = 3." in dense and k_max_error_free(3).latex() in dense


def test_formula_lines_leave_other_functions_alone():
    from theory.classical import crosstalk_moments  # returns a dict of expressions

    assert amlab_api.formula_lines(crosstalk_moments) == []

    def needs_an_unknown_argument(q: int) -> "Formula":
        raise AssertionError("not called")

    assert amlab_api.formula_call(needs_an_unknown_argument) is None

    def lies() -> "Formula":
        return 0.5

    with pytest.raises(TypeError, match="annotated to return a Formula but returned float"):
        amlab_api.formula_lines(lies)


def test_every_theory_formula_function_is_rendered():
    """Every function of theory annotated to return a Formula is shown (none needs an unknown argument)."""
    shown, skipped = 0, []
    for info in pkgutil.iter_modules(importlib.import_module("theory").__path__):
        module = importlib.import_module(f"theory.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or not callable(obj) or getattr(obj, "__module__", None) != module.__name__:
                continue
            returns = getattr(getattr(obj, "__wrapped__", obj), "__annotations__", {}).get("return")
            if returns in ("Formula",) or getattr(returns, "__name__", None) == "Formula":
                if amlab_api.formula_call(obj) is None:
                    skipped.append(f"{module.__name__}.{name}")
                else:
                    shown += 1
    assert skipped == []
    assert shown >= 50  # 52 when written: 42 with defaults, 10 at n = 3


# ------------------------------------------------------------------ the index and the project files
def _toctree_entries(text):
    entries = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", text, re.S):
        entries += [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(":")]
    return entries


def test_index_lists_every_page():
    entries = _toctree_entries((DOCS / "index.md").read_text(encoding="utf-8"))
    pages = sorted(p.stem for p in DOCS.glob("*.md") if p.stem != "index")
    missing = [p for p in pages if p not in entries]
    assert missing == []
    assert "api/index" in entries
    # the check catches an omission
    assert [p for p in pages if p not in entries[1:]] == [entries[0]]


def test_license_citation_and_changelog_agree_with_pyproject():
    yaml = pytest.importorskip("yaml")
    from simulations.core.version import version_from_pyproject

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = { text = "BSD-3-Clause" }' in pyproject
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("BSD 3-Clause License")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["license"] == "BSD-3-Clause" and cff["cff-version"] == "1.2.0"
    assert "version" not in cff  # the version lives in pyproject.toml alone
    references = (DOCS / "references.md").read_text(encoding="utf-8")
    ids = [r.get("doi") or r["url"].rsplit("/", 1)[1] for r in cff["references"]]
    assert len(ids) >= 20 and [i for i in ids if i not in references] == []
    assert "10.0000/not-a-reference" not in references  # what an unlisted reference looks like
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\S+)", changelog, re.M).group(1)
    assert first == version_from_pyproject(ROOT / "pyproject.toml")


# ------------------------------------------------------------------ the build (slow)
def _public_modules():
    names = []
    for pkg in PACKAGES:
        names.append(pkg)
        for info in pkgutil.walk_packages(importlib.import_module(pkg).__path__, pkg + "."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                names.append(info.name)
    return names


@pytest.mark.slow
def test_site_builds_without_warnings_and_its_links_hold(tmp_path):
    """The README's command at quick size (about 70 s on a loaded 2-core machine), then the link check."""
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    html = tmp_path / "html"
    env = {**os.environ, "AMLAB_DOCS_QUICK": "1", "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", "-d", str(tmp_path / "doctrees"),
                          str(DOCS), str(html)], env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    broken, n_pages, n_refs = check_site.check_site(html)
    assert broken == [], "\n".join(map(str, broken[:20]))
    generated = {p.stem for p in (html / "api" / "generated").glob("*.html")}
    assert [m for m in _public_modules() if m not in generated] == []
    page = (html / "api" / "generated" / "theory.classical.html").read_text(encoding="utf-8")
    assert page.count('<div class="math') >= 6 and "operatorname{erfc}" in page


def test_index_takes_the_pages_of_the_optional_extensions(monkeypatch):
    """conf.py puts the pages an extension names in SITE_PAGES where the index says {amlab-site-pages}."""
    pytest.importorskip("sphinx")
    monkeypatch.delenv("AMLAB_DOCS_QUICK", raising=False)
    spec = importlib.util.spec_from_file_location("amlab_docs_conf", DOCS / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    assert index.count("{amlab-site-pages}") == 1
    monkeypatch.setattr(conf, "site_pages", ["gallery/figures", "gallery/checks"])
    source = [index]
    conf._index_toctree(None, "index", source)
    assert "{amlab-site-pages}" not in source[0]
    assert _toctree_entries(source[0])[2:4] == ["gallery/figures", "gallery/checks"]  # after Start
    other = ["{amlab-site-pages}"]
    conf._index_toctree(None, "cli", other)  # only the index is touched
    assert other == ["{amlab-site-pages}"]
    monkeypatch.setattr(conf, "site_pages", [])
    source = [index]
    conf._index_toctree(None, "index", source)
    assert "{amlab-site-pages}" not in source[0] and _toctree_entries(source[0])[2] == "tutorial-capacity"
