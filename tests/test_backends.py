import sys
import time

import pytest

from simulations.sweeps.backends import DISTRIBUTED_HINT, DaskBackend, LocalBackend, get_backend, run_all
from simulations.sweeps.sweep import sweep
from tests.sweep_helpers import toy

GRID = {"a": [0, 1, 2], "b": [0.5, 2.0]}


def _strip(records):
    """Records without what legitimately differs between runs: wall time and finish time."""
    return [{k: v for k, v in r.items() if k not in ("wall_s", "finished")} for r in records]


def test_local_backend_runs_in_order():
    assert run_all(LocalBackend(), pow, [(2, 3), (3, 2)]) == [8, 9]
    assert isinstance(get_backend(), LocalBackend)
    with pytest.raises(ValueError, match="not both"):
        get_backend(workers=2, scheduler="tcp://x:1")


def test_dask_backend_validates():
    with pytest.raises(ValueError, match="exactly one"):
        DaskBackend()
    with pytest.raises(ValueError, match="positive integer"):
        DaskBackend(workers=0)


def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(ImportError, match=r'pip install "\.\[distributed\]"'):
        DaskBackend(workers=1)
    assert 'pip install ".[distributed]"' in DISTRIBUTED_HINT  # installed from source, as the README does


@pytest.fixture(scope="module")
def cluster():
    """One local Dask cluster of 2 worker processes for this module's tests (each start costs seconds)."""
    pytest.importorskip("distributed")
    with DaskBackend(workers=2) as backend:
        yield backend


def test_local_cluster_gives_identical_records(tmp_path):
    t0 = time.perf_counter()
    local = sweep(toy, GRID, tmp_path / "local", seed=11, progress=False)
    with DaskBackend(workers=2) as backend:
        assert backend.describe().endswith("2 workers)")
        dask = sweep(toy, GRID, tmp_path / "dask", seed=11, backend=backend, progress=False)
        # an existing cluster by address, as --scheduler does
        with DaskBackend(scheduler=backend.address) as remote:
            again = sweep(toy, GRID, tmp_path / "remote", seed=11, backend=remote, progress=False)
    assert dask.computed == len(local.records) == 6
    assert _strip(dask.records) == _strip(local.records) == _strip(again.records)
    assert time.perf_counter() - t0 < 60


def test_local_cluster_runs_a_registered_estimator_identically(cluster, tmp_path):
    grid = {"alpha": [0.1, 0.3], "N": [100, 200]}
    fixed = {"networks": 2}
    local = sweep("classical-bit-error", grid, tmp_path / "local", params=fixed, seed=2, progress=False)
    dask = sweep("classical-bit-error", grid, tmp_path / "dask", params=fixed, seed=2, backend=cluster,
                 progress=False)
    assert _strip(dask.records) == _strip(local.records)


@pytest.mark.slow  # 7 s; test_local_cluster_runs_a_registered_estimator_identically keeps Dask in the default suite
def test_checks_on_a_local_cluster_match_in_process(cluster, tmp_path):
    import simulations.checks.suite  # noqa: F401
    from simulations.checks.registry import CHECKS
    from simulations.checks.runner import run_checks

    chosen = [CHECKS["exp-recovery"]]  # quick size runs in about a second
    here = run_checks(chosen, seed=5, out=tmp_path / "here", echo=lambda *a: None)
    there = run_checks(chosen, seed=5, out=tmp_path / "there", scheduler=cluster.address, echo=lambda *a: None)
    assert [p.estimate for p in here[0].points] == [p.estimate for p in there[0].points]
    assert here[0].seed == there[0].seed and here[0].passed == there[0].passed
