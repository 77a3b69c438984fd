"""The snippets of docs/induction.md run in order, as a reader would paste them."""

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "induction.md"


def test_induction_page_snippets_run(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)
    assert len(blocks) >= 4
    namespace = {}
    for i, code in enumerate(blocks):
        exec(compile(code, f"docs/induction.md[{i}]", "exec"), namespace)
