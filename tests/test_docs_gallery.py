"""The documentation gallery (docs/_ext/amlab_gallery.py): pages written from the registries.

The page texts are tested without Sphinx; one slow test builds a small site with the extension (warnings are
errors) and follows the links from its index.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import amlab_gallery as gal  # noqa: E402


@pytest.fixture(scope="module")
def cat():
    return gal.collect()


@pytest.fixture(scope="module")
def files(cat):
    return gal.figure_files(cat, ROOT / "docs", rendered=False)


@pytest.fixture(scope="module")
def texts(cat, files):
    # every section but the derivations (building all 23 takes SymPy about 15 s: see the slow test below)
    return gal.pages(cat, files, sections=("figures", "checks", "demos"))


def _targets(text: str, section: str) -> list:
    """The names of the ``section`` pages that ``text`` links to (Markdown links ``(.../section/NAME.md)``)."""
    return re.findall(r"\((?:\.\./)?" + section + r"/([^)/]+)\.md\)", text)


def test_md_escape_renders_the_literal_text():
    markdown_it = pytest.importorskip("markdown_it")
    import html

    render = markdown_it.MarkdownIt("commonmark").renderInline
    for s in ["P_err = Phi(-sqrt(N/P)) * 2", "*a* and _b_ [c](d) <e> `f` \\g", "# not a heading", "1. not a list",
              "| a | b |", "E_M[(1 - p(M))^N]"]:
        assert html.unescape(render(gal.md(s))) == s, s
    # the property can fail: unescaped, the same texts lose characters to emphasis, links and code spans
    assert html.unescape(render("*a* and _b_ [c](d) <e> `f` \\g")) != "*a* and _b_ [c](d) <e> `f` \\g"


def test_code_span_holds_backticks():
    markdown_it = pytest.importorskip("markdown_it")
    import html

    render = markdown_it.MarkdownIt("commonmark").renderInline
    for s in ["amlab figures x", "a`b", "``c"]:
        assert re.fullmatch(r"<code>(.*)</code>", render(gal.code(s))).group(1) == html.escape(s, quote=False)


def test_every_registered_name_has_a_page_linked_from_its_index(cat, texts):
    sections = {"figures": cat.figures, "checks": cat.checks, "demos": cat.demos}
    for section, reg in sections.items():
        names = list(reg)
        assert len(names) > 3
        assert set(names) == {k.split("/", 1)[1] for k in texts if k.startswith(section + "/")}
        index = texts[section]
        assert sorted(_targets(index, section)) == sorted(names)
        toc = re.search(r"```\{toctree\}\n(.*?)```", index, re.S).group(1)
        assert [ln for ln in toc.splitlines() if not ln.startswith(":")] == [f"{section}/{n}" for n in names]
    # the link test can fail: an index without one of its lines misses that page
    cut = "\n".join(ln for ln in texts["figures"].splitlines() if "(figures/classical-bit-error.md)" not in ln)
    assert "classical-bit-error" not in _targets(cut, "figures")


def test_figure_page_says_how_it_is_made(cat, files, texts):
    record = gal.read_captions(ROOT / "docs")
    for name in cat.figures:
        page = texts[f"figures/{name}"]
        assert f"amlab figures {name} " in page  # the exact command
        backing = sorted(c.name for c in cat.checks.values() if name in c.figures)
        assert sorted(_targets(page.split("**Checks that back it.**")[1].split("\n")[0], "checks")) == backing
        assert gal.md(record[name]["caption"]) in page and gal.md(record[name]["source"]) in page
        image = (ROOT / "docs" / "gallery" / f"{name}.png").exists()
        assert ("{image} /gallery/" + name + ".png" in page) == image
        assert ("No image in this build" in page) == (not image)
    # every figure of the registry has its caption recorded; a figure registered after the record is reported
    assert set(record) == set(cat.figures)
    missing = [n for n in cat.figures if n not in {k: v for k, v in record.items() if k != "classical-bit-error"}]
    assert missing == ["classical-bit-error"]


def test_figures_index_names_the_figures_without_an_image(cat, files, texts):
    absent = sorted(n for n in cat.figures if not (ROOT / "docs" / "gallery" / f"{n}.png").exists())
    said = texts["figures"].split("Without an image in this build:")
    if not absent:
        assert len(said) == 1
        return
    assert sorted(re.findall(r"`([^`]+)`", said[1].split("\n")[0])) == absent


def _kill_rule(rows, mutant, check):
    """Independent statement of the kill rule: FAIL under the mutant at every seed, unmutated pass at each."""
    mine = {r["seed"]: r["verdict"] for r in rows if r["mutant"] == mutant and r["check"] == check}
    base = {r["seed"]: r["verdict"] for r in rows if r["mutant"] == "none" and r["check"] == check}
    seeds = sorted({r["seed"] for r in rows})
    return set(mine) == set(seeds) and all(mine[s] == "FAIL" and base.get(s) == "pass" for s in seeds)


def _killed_on_page(page):
    return set(re.findall(r"^\| `([^`]+)` \|[^\n]*\| \*\*killed\*\* \|[^|\n]*\|$", page, re.M))


def test_check_pages_list_the_recorded_kills(cat, texts):
    rows = [r for r in json.loads((ROOT / gal.KILL_MATRIX).read_text())["rows"] if r["size"] == "quick"]
    total = 0
    for name in cat.checks:
        expected = {m.name for m in cat.mutants.values() if name in m.family and _kill_rule(rows, m.name, name)}
        assert _killed_on_page(texts[f"checks/{name}"]) == expected, name
        total += len(expected)
    assert total > 20
    # a kill seen at one seed only is no kill: doctor the record and the page drops it
    name, check = "classical-no-finite-N", "classical-bit-error"
    doctored = [r if not (r["mutant"] == name and r["check"] == check and r["seed"] == 1) else {**r, "verdict": "pass"}
                for r in rows]
    from benchmarks.kill_matrix import kills

    cat2 = gal.Catalogue(**{**cat.__dict__, "kills": kills(doctored, "quick")})
    assert name in _killed_on_page(texts[f"checks/{check}"])
    assert name not in _killed_on_page(gal.check_page(cat2, check))


def test_check_page_states_test_and_mde(cat, texts):
    fa = json.loads((ROOT / gal.FALSE_ALARMS).read_text())["seeds"]["0"]["checks"]
    for name, c in cat.checks.items():
        page = texts[f"checks/{name}"]
        assert gal.md(c.test) in page and gal.md(c.theory) in page
        mde = fa.get(name, {}).get("mde")
        if mde is not None:
            assert f"has MDE {mde:.3g}" in page, name
        else:
            assert "has MDE" not in page


def _assert_steps_rendered(cat, name, page):
    steps = cat.derivation(name).steps
    assert page.count("```{math}") == len(steps), name
    # each math block sits inside its list item (indented as far as the item's text)
    for i in range(1, len(steps) + 1):
        assert re.search(rf"^{i}\. .*\n\n {{{len(str(i)) + 2}}}```{{math}}", page, re.M), (name, i)


def test_derivation_page_renders_every_step_as_math(cat):
    name = "classical-crosstalk"  # ten steps: the item numbers reach two digits
    page = gal.derivation_page(cat, name)
    _assert_steps_rendered(cat, name, page)
    assert "(../checks/classical-bit-error.md)" in page
    # the indentation test can fail: a block indented as for a one-digit item falls out of item 10
    bad = page.replace("\n    ```{math}", "\n   ```{math}")
    with pytest.raises(AssertionError):
        _assert_steps_rendered(cat, name, bad)


@pytest.mark.slow
def test_every_derivation_has_a_page_linked_from_its_index(cat, files):
    # builds all 23 derivations (SymPy, about 15 s)
    texts = gal.pages(cat, files, sections=("derivations",))
    assert sorted(_targets(texts["derivations"], "derivations")) == sorted(cat.derivations)
    for name in cat.derivations:
        _assert_steps_rendered(cat, name, texts[f"derivations/{name}"])


def test_write_pages_rewrites_only_changes_and_removes_stale(tmp_path):
    gallery = tmp_path / "gallery"
    assert sorted(gal.write_pages(gallery, {"figures": "a", "figures/x": "b", "figures/y": "c"})) == [
        "figures", "figures/x", "figures/y"]
    assert gal.write_pages(gallery, {"figures": "a", "figures/x": "b2"}) == ["figures/x"]
    assert (gallery / "figures/x.md").read_text() == "b2"
    assert not (gallery / "figures/y.md").exists()  # no longer registered
    assert not list(gallery.rglob("*.tmp"))


def test_caption_record_refuses_a_full_size_figure(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"caption": "c", "source": "s", "size": "full", "seed": 0}))
    with pytest.raises(ValueError, match="size 'full'"):
        gal.caption_record(tmp_path, ["a"])
    (tmp_path / "a.json").write_text(json.dumps({"caption": "c", "source": "s", "size": "quick", "seed": 0}))
    assert gal.caption_record(tmp_path, ["a"])["figures"] == {"a": {"caption": "c", "source": "s"}}


@pytest.mark.slow
def test_recorded_caption_is_this_versions(cat, tmp_path):
    # draws one cheap figure (a few seconds): the committed record must be what this version writes, and a second
    # render with unchanged sources reuses the drawing
    name = "classical-bit-error"
    assert gal.render(cat, tmp_path, [name]) == {}
    drawn = json.loads((tmp_path / f"{name}.json").read_text())
    record = gal.read_captions(ROOT / "docs")[name]
    assert (record["caption"], record["source"]) == (drawn["caption"], drawn["source"])
    before = (tmp_path / f"{name}.png").stat().st_mtime_ns
    lines = []
    gal.render(cat, tmp_path, [name], log=lines.append)
    assert lines == [] and (tmp_path / f"{name}.png").stat().st_mtime_ns == before


@pytest.mark.slow
def test_gallery_site_builds_and_every_page_is_two_clicks_from_the_index(tmp_path, monkeypatch):
    # a small Sphinx site with only the gallery (about 30 s): warnings are errors
    sphinx_cmd = pytest.importorskip("sphinx.cmd.build")
    pytest.importorskip("myst_parser")
    html5lib = pytest.importorskip("html5lib")
    import shutil

    src = tmp_path / "src"
    (src / "gallery").mkdir(parents=True)
    for p in (ROOT / "docs" / "gallery").glob("*.png"):
        shutil.copy(p, src / "gallery")
    shutil.copy(ROOT / "docs" / gal.CAPTIONS, src / gal.CAPTIONS)
    (src / "conf.py").write_text(f"import sys\nsys.path.insert(0, {str(ROOT / 'docs' / '_ext')!r})\n"
                                 "project = 'gallery'\nextensions = ['myst_parser', 'amlab_gallery']\n")
    (src / "index.md").write_text("# amlab\n\n```{toctree}\n" + "\n".join(f"gallery/{s}" for s in gal.SECTIONS)
                                  + "\n```\n")
    monkeypatch.setenv("AMLAB_DOCS_QUICK", "1")
    out = tmp_path / "html"
    assert sphinx_cmd.build_main(["-W", "-q", "-b", "html", str(src), str(out)]) == 0

    def links(page: pathlib.Path) -> set:
        tree = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
        body = tree.find(".//div[@role='main']")  # the page's own text, not the navigation sidebar
        assert body is not None, page
        return {(page.parent / a.get("href").split("#")[0]).resolve() for a in body.iter("a")
                if a.get("href") and not a.get("href").startswith(("http", "#"))}

    first = links(out / "index.html")
    second = set().union(*(links(p) for p in first if p.suffix == ".html"))
    cat = gal.collect()
    for section, reg in (("figures", cat.figures), ("checks", cat.checks), ("derivations", cat.derivations),
                         ("demos", cat.demos)):
        for name in reg:
            page = (out / "gallery" / section / f"{name}.html").resolve()
            assert page.exists() and page in first | second, page
    # every image a figure page shows was copied into the build
    page = (out / "gallery" / "figures" / "classical-bit-error.html")
    tree = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
    srcs = [img.get("src") for img in tree.iter("img")]
    assert srcs and all((page.parent / s).resolve().exists() for s in srcs)


def test_demo_page_links_the_notebook_only_when_the_site_builds_it(cat):
    with_nb = gal.demo_page(cat, "capacity", notebook=True)
    assert "{download}`capacity.ipynb </notebooks/files/capacity.ipynb>`" in with_nb
    assert "{download}" not in gal.demo_page(cat, "capacity", notebook=False)  # a missing file would fail -W
    assert "amlab demo capacity --notebook capacity.ipynb" in with_nb


def test_drawn_figures_folder_is_no_source_of_pages():
    class Config:
        exclude_patterns = ["_build"]

    config = Config()
    gal.exclude_rendered(None, config)
    assert config.exclude_patterns == ["_build", gal.RENDERED, gal.RENDERED + "/**"]
