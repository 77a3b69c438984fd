"""`amlab list demos` prints every registered demo (and `amlab list` includes them)."""

from amlab.cli import main


def test_list_demos(capsys):
    from amlab.demos import DEMOS

    assert main(["list", "demos"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("demos:") and all(name in out for name in DEMOS)
    assert main(["list"]) == 0
    assert "demos:" in capsys.readouterr().out
