"""``--device {cpu,gpu}`` on the command line, and the GPUs shared out among worker processes."""

import os
import time

import pytest

from amlab import cli
from hopfield import _device
from simulations.sweeps import backends

COMMANDS = (["check"], ["figures"], ["sweep", "sparse-kept-fraction", "--out", "x"], ["reproduce"])


@pytest.mark.parametrize("command", COMMANDS)
def test_device_flag_parses_with_cpu_default(command):
    parser = cli.build_parser()
    assert parser.parse_args(command).device == "cpu"
    assert parser.parse_args(command + ["--device", "gpu"]).device == "gpu"


def test_bad_device_is_a_one_line_usage_error(capsys):
    assert cli.main(["check", "--device", "tpu"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--device" in err and "'tpu'" in err


def _fake_command(monkeypatch, name):
    seen = []
    monkeypatch.setattr(cli, name, lambda args: seen.append(os.environ.get("AMLAB_DEVICE")) or 0)
    return seen


def test_device_gpu_sets_the_environment_for_the_process_and_its_workers(monkeypatch):
    monkeypatch.setenv("AMLAB_DEVICE", "cpu")  # restored after the test
    seen = _fake_command(monkeypatch, "cmd_figures")
    assert cli.main(["figures", "--device", "gpu"]) == 0  # the CUDA simulator stands in for the GPU here
    assert seen == ["gpu"] and _device.resolve(None) == "gpu"
    assert cli.main(["figures"]) == 0  # the default puts it back to the CPU
    assert seen == ["gpu", "cpu"]


@pytest.mark.parametrize("missing", ["cuda", "array_module"])
def test_unusable_gpu_is_a_one_line_error_before_any_work(monkeypatch, capsys, missing):
    monkeypatch.setenv("AMLAB_DEVICE", "cpu")
    seen = _fake_command(monkeypatch, "cmd_check")

    def unusable(*args):
        raise _device.DeviceUnavailableError("device='gpu' found no CUDA GPU on this machine (pip install ...)")

    monkeypatch.setattr(_device, missing, unusable)
    assert cli.main(["check", "--device", "gpu"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("amlab check: error: device='gpu' found no CUDA GPU") and "\n" not in err
    assert seen == [] and os.environ["AMLAB_DEVICE"] == "cpu"  # nothing ran, nothing set
    assert cli.main(["check", "--device", "cpu"]) == 0 and seen == ["cpu"]  # the CPU needs no GPU


def test_gpu_for_worker_shares_out_1_2_and_3_gpus():
    assert [backends.gpu_for_worker(k, ["0"]) for k in range(4)] == ["0", "0", "0", "0"]
    assert [backends.gpu_for_worker(k, ["0", "1"]) for k in range(5)] == ["0", "1", "0", "1", "0"]
    assert [backends.gpu_for_worker(k, ["2", "4", "7"]) for k in range(7)] == ["2", "4", "7", "2", "4", "7", "2"]
    for bad in (-1, 1.0, True):
        with pytest.raises(ValueError, match="k must be"):
            backends.gpu_for_worker(bad, ["0"])
    with pytest.raises(ValueError, match="gpus must"):
        backends.gpu_for_worker(0, [])


def test_visible_gpus_reads_cuda_visible_devices(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3, 5")
    assert backends.visible_gpus() == ["3", "5"]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert backends.visible_gpus() == []
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert backends.visible_gpus() == ["0"]  # the CUDA simulator's one device


def _worker_view(delay):
    time.sleep(delay)
    return os.getpid(), os.environ.get("AMLAB_DEVICE"), os.environ.get("CUDA_VISIBLE_DEVICES")


def test_process_workers_inherit_the_device_and_get_one_gpu_each(monkeypatch):
    """Two spawned workers (about 2 s), four tasks: every worker sees the device and its own GPU."""
    monkeypatch.setenv("AMLAB_DEVICE", "gpu")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
    with backends.ProcessBackend(2) as backend:
        assert "GPUs 3,5" in backend.describe()
        views = backends.run_all(backend, _worker_view, [(0.3,)] * 4)
    assert {v[1] for v in views} == {"gpu"}
    by_pid = {pid: gpu for pid, _, gpu in views}
    assert set(by_pid.values()) <= {"3", "5"} and len(set(by_pid.values())) == len(by_pid)
    # with the CPU as the device the workers keep the parent's CUDA_VISIBLE_DEVICES untouched
    monkeypatch.setenv("AMLAB_DEVICE", "cpu")
    with backends.ProcessBackend(1) as backend:
        assert backends.run_all(backend, _worker_view, [(0.0,)])[0][1:] == ("cpu", "3,5")
