"""The Python snippets of docs/attention.md run in order, as written."""

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "attention.md"


def test_attention_snippets_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)
    assert len(blocks) >= 4
    namespace = {}
    for i, code in enumerate(blocks):
        exec(compile(code, f"docs/attention.md[{i}]", "exec"), namespace)
    out = capsys.readouterr().out
    assert "SoftmaxMemory" in out and "True" in out
