"""The Python snippets of docs/amicl.md run as written."""

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "amicl.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_doc_snippet_runs(i, capsys):
    exec(compile(BLOCKS[i], f"{DOC.name}[{i}]", "exec"), {})


def test_doc_has_snippets():
    assert len(BLOCKS) >= 4
