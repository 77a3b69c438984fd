"""The Python snippets of every tutorial in docs/ run as written.

The snippets of one page run in order in one namespace, as a reader would
paste them into one session.
"""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p.name for p in DOCS.glob("*.md"))
TUTORIALS = ["amicl.md", "checks.md", "dense.md", "simulators.md", "theory.md"]
TUTORIALS += ["getting-started.md", "tutorial-capacity.md", "tutorial-dense.md", "tutorial-modern.md", "tutorial-icl.md"]
TUTORIALS += ["attention.md", "induction.md", "contributing.md"]


def _blocks(name):
    return re.findall(r"```python\n(.*?)```", (DOCS / name).read_text(), flags=re.S)


def test_every_tutorial_has_snippets():
    assert set(TUTORIALS) <= set(PAGES)
    for name in TUTORIALS:
        assert _blocks(name), f"docs/{name} has no python snippet"


@pytest.mark.parametrize("name", TUTORIALS)
def test_snippets_run(name, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # snippets that write files write them here
    namespace = {}
    for i, code in enumerate(_blocks(name)):
        exec(compile(code, f"docs/{name}[{i}]", "exec"), namespace)
