import os

import pytest

# The GPU kernels run through Numba's CUDA simulator (the very kernel code, on the CPU) unless the tests are
# on a GPU machine and asked for the real device: AMLAB_REAL_GPU=1 python -m pytest -m gpu.
if os.environ.get("AMLAB_REAL_GPU", "0") in ("", "0"):
    os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")

from amlab.cli import limit_blas_threads

# The tests run as the command line does: one BLAS thread unless the environment sets a number (amlab.cli),
# before numpy is first imported. A BLAS pool on a loaded 2-core machine busy-waits: one induction-check test
# took 20-31 s instead of 2.5 s at load averages of 2-5 (benchmarks/results/test_durations.md); Numba threads
# and worker processes are what the package parallelises with.
limit_blas_threads()

import matplotlib  # noqa: E402

matplotlib.use("Agg")

# Keep hypothesis quick and deterministic on CI machines.
try:
    from hypothesis import settings

    settings.register_profile("amlab", max_examples=25, deadline=None, derandomize=True)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "amlab"))
except ImportError:  # pragma: no cover
    pass


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The GPU kernels' simulator comparisons: the first parameter set of each test in the default suite, the
    others marked slow (CI runs them with -m slow). The simulator runs every GPU thread as a Python thread, so
    the whole grid takes minutes; the first set already compares every output of the kernel with the CPU's."""
    seen = set()
    for item in items:
        if item.get_closest_marker("gpu") is not None:  # the real-GPU comparisons keep their own marker only
            continue
        if item.fspath.basename.startswith("test_cuda_") and hasattr(item, "callspec"):
            key = (str(item.fspath), item.originalname)
            if key in seen:
                item.add_marker(pytest.mark.slow)
            seen.add(key)
