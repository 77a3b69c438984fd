"""The key-value entries reach the command line: derivations, listed checks and figures, a quick check run."""

from amlab.cli import main


def test_derive_and_list(capsys):
    assert main(["derive", "kv-delta-fixed-point"]) == 0
    out = capsys.readouterr().out
    assert "V*K" in out and "eta" in out
    assert main(["derive", "kv-readout"]) == 0
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("kv-readout-moments", "kv-zipf-scaling", "kv-delta-one-pass", "mqar-accuracy-vs-pairs",
                 "kv-delta-fixed-point"):
        assert name in out


def test_check_runs(tmp_path, capsys):
    assert main(["check", "kv-delta-fixed-point", "kv-softmax-bound", "--out", str(tmp_path)]) == 0
