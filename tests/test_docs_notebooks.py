"""docs/_ext/amlab_notebooks.py: the tutorials become executed pages, the demo notebooks downloads.

The fast tests check the page conversion (nothing of a snippet lost, other fences untouched) and the
generated download page; the slow ones build a two-page site with Sphinx and a Jupyter kernel: the
executed page shows an output that only running the code produces, the demo notebooks are in the
build, and a snippet that raises fails the build.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import amlab_notebooks as ext  # noqa: E402


def _python_blocks(text):  # as tests/test_docs.py reads a page's snippets
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _cells(text):
    return re.findall(r"```\{code-cell\} ipython3\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("name", ext.EXECUTED)
def test_executed_pages_keep_every_snippet(name):
    text = (ROOT / "docs" / f"{name}.md").read_text()
    out = ext.to_mystnb(text)
    assert out.startswith("---\nfile_format: mystnb\n")
    assert _cells(out) == _python_blocks(text) and _python_blocks(text)
    assert _python_blocks(out) == []
    assert out.count("```bash") == text.count("```bash")  # shell lines are shown, never run


def test_conversion_refuses_what_it_cannot_execute():
    with pytest.raises(ValueError, match="no ```python block"):
        ext.to_mystnb("# t\n\n```bash\nls\n```\n")
    with pytest.raises(ValueError, match="no ```python block"):
        ext.to_mystnb("# t\n\n```python\nprint(1)\n")  # never closed: not a block
    with pytest.raises(ValueError, match="front matter"):
        ext.to_mystnb("---\ntitle: x\n---\n```python\n1\n```\n")


def test_download_page_lists_every_demo():
    from amlab.demos import DEMOS

    page = ext.notebooks_page(list(DEMOS), {n: d.title for n, d in DEMOS.items()})
    links = re.findall(r"\{download\}`([\w-]+)\.ipynb <files/([\w-]+)\.ipynb>`", page)
    assert [a for a, _ in links] == list(DEMOS) and all(a == b for a, b in links)
    assert page.startswith("---\norphan: true\n---\n")  # no toctree warning wherever the index puts it


CONF = """
import sys
sys.path.insert(0, {ext!r})
project = "t"
extensions = ["amlab_notebooks"]
exclude_patterns = ["_build"]
"""


def _build(tmp_path, snippet):
    """Sphinx (warnings are errors) over an index and a getting-started page holding ``snippet``."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF.format(ext=str(ROOT / "docs" / "_ext")))
    (src / "index.md").write_text("# t\n\n```{toctree}\ngetting-started\nnotebooks/index\n```\n")
    (src / "getting-started.md").write_text(f"# Getting started\n\n```python\n{snippet}\n```\n")
    out = tmp_path / "html"
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(out)],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)
    return run, out


@pytest.mark.slow  # Sphinx and a Jupyter kernel: about 15 s on 2 cores
def test_site_executes_the_page_and_offers_the_notebooks(tmp_path):
    pytest.importorskip("myst_nb")
    from amlab.demos import DEMOS

    run, out = _build(tmp_path, "import theory.ags as ags\nprint('alpha_c =', round(ags.critical()['alpha_c'], 4))")
    assert run.returncode == 0, run.stderr
    html = (out / "getting-started.html").read_text()
    assert "alpha_c = 0.1379" in html  # printed by the kernel: the source holds only the code
    files = {p.name for p in (out / "_downloads").rglob("*.ipynb")}
    assert files == {f"{n}.ipynb" for n in DEMOS}
    page = (out / "notebooks" / "index.html").read_text()
    assert all(f"{n}.ipynb" in page for n in DEMOS)
    assert (tmp_path / "html").parent.joinpath(".jupyter_cache").is_dir()  # cached next to the build


@pytest.mark.slow
def test_a_failing_snippet_fails_the_build(tmp_path):
    pytest.importorskip("myst_nb")
    run, _ = _build(tmp_path, "raise RuntimeError('snippet broken')")
    assert run.returncode != 0
    assert "snippet broken" in run.stderr
