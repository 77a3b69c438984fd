"""amlab as a user gets it from ``pip install .``: the wheel, installed into a fresh virtual environment
and run from a folder outside the source tree, builds its figures (the train-* figures read recorded
results that must travel inside the package).

The wheel is built offline from a clean copy of the source (a stale ``build/`` folder could otherwise
carry files the packaging no longer ships). The environment is new and holds only amlab; amlab's
dependencies come from the interpreter running the tests (its site-packages are listed in a ``.pth``
file: ``--system-site-packages`` would expose the base interpreter's, not this virtual environment's).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRAIN_FIGURES = ["train-icl-curves", "train-induction-curves", "train-induction-deviation"]
CHEAP_FIGURE = "induction-attention"  # a few seconds, no sweep
NOT_SOURCE = ("build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".git", ".pytest_cache", ".hypothesis",
              ".venv", "amlab-*", ".whl")


def _wheel_backend_missing() -> str:
    """Why a wheel cannot be built offline here ('' when it can): setuptools >= 70.1 has bdist_wheel."""
    try:
        import setuptools
    except ImportError:
        return "setuptools is not installed"
    major, minor = (int(p) for p in setuptools.__version__.split(".")[:2])
    if (major, minor) >= (70, 1):
        return ""
    try:
        import wheel  # noqa: F401  (older setuptools take bdist_wheel from the wheel package)
    except ImportError:
        return (f"setuptools {setuptools.__version__} without the wheel package cannot build a wheel offline "
                f"(the dev extra asks for setuptools >= 70.1)")
    return ""


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert res.returncode == 0, f"{' '.join(map(str, cmd))} exited {res.returncode}:\n{res.stdout}\n{res.stderr}"
    return res


def install_wheel(src: Path, tmp: Path) -> dict:
    """Build the wheel of ``src`` and install it into a new environment under ``tmp``.

    Returns the environment's ``python`` and ``amlab`` paths and the ``env`` to run them with (no
    PYTHONPATH, so nothing can come from the source tree).
    """
    why = _wheel_backend_missing()
    if why:
        pytest.skip(why)
    clean = tmp / "src"
    shutil.copytree(src, clean, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", tmp / "dist", clean], cwd=tmp)
    wheels = list((tmp / "dist").glob("amlab-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = tmp / "env"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    deps = site.getsitepackages() + [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    if site.ENABLE_USER_SITE:
        deps.append(site.getusersitepackages())
    deps = dict.fromkeys(deps)
    (purelib / "_amlab_test_deps.pth").write_text("".join(f"{p}\n" for p in deps if Path(p).is_dir()))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(MPLBACKEND="Agg", NUMBA_CACHE_DIR=str(tmp / "numba-cache"), PYTHONNOUSERSITE="1")
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "-q", wheels[0]],
         cwd=tmp, env=env)
    run_dir = tmp / "elsewhere"
    run_dir.mkdir()
    where = _run([python, "-c", "import amlab, figures; print(figures.__file__)"], cwd=run_dir, env=env).stdout
    assert Path(where.strip()).resolve().is_relative_to(env_dir.resolve()), f"figures imported from {where}"
    return {"python": python, "amlab": bindir / "amlab", "env": env, "cwd": run_dir, "figures": where.strip()}


def build_from_wheel(inst: dict, names, out: Path, size: str = "--quick") -> subprocess.CompletedProcess:
    """``amlab figures NAMES --out OUT`` with the installed console script, outside the source tree."""
    return subprocess.run([str(inst["amlab"]), "figures", *names, size, "--out", str(out)], capture_output=True,
                          text=True, cwd=inst["cwd"], env=inst["env"])


def assert_built(res: subprocess.CompletedProcess, names, out: Path) -> None:
    assert res.returncode == 0, f"exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    for name in names:
        for ext in ("png", "pdf", "json"):
            path = out / f"{name}.{ext}"
            assert path.is_file() and path.stat().st_size > 0, f"{name}: {path.name} not written\n{res.stderr}"
        assert json.loads((out / f"{name}.json").read_text())["figure"] == name


@pytest.mark.slow  # 12 s; the default suite keeps the wheel's other figures
def test_installed_wheel_builds_the_train_figures(tmp_path):
    """About 15 s on 2 cores: building and installing the wheel, then four figures, then one more run."""
    inst = install_wheel(ROOT, tmp_path)
    names = TRAIN_FIGURES + [CHEAP_FIGURE]
    out = tmp_path / "figs"
    assert_built(build_from_wheel(inst, names, out), names, out)

    # The same check fails when the recorded results are not in the installed package (the old
    # packaging): the figure is an error, exit 1 with its name and the reason, never "done".
    data = Path(inst["figures"]).parent / "data" / "train"
    assert (data / "icl_quick" / "icl.json").is_file()
    shutil.rmtree(data)
    out = tmp_path / "figs-without-data"
    res = build_from_wheel(inst, ["train-icl-curves"], out)
    assert "amlab figures: error: figure train-icl-curves wrote nothing: no recorded results" in res.stderr
    assert "figures done" not in res.stderr
    with pytest.raises(AssertionError, match="exit 1"):
        assert_built(res, ["train-icl-curves"], out)


@pytest.mark.slow
def test_installed_wheel_builds_every_figure(tmp_path):
    """Every registered figure at quick size from the installed wheel (tens of minutes on 2 cores)."""
    inst = install_wheel(ROOT, tmp_path)
    names = _run([inst["python"], "-c", "import figures.catalog\nfrom figures.registry import FIGURES\n"
                  "print(' '.join(FIGURES))"], cwd=inst["cwd"], env=inst["env"]).stdout.split()
    assert set(TRAIN_FIGURES + [CHEAP_FIGURE]) <= set(names)
    out = tmp_path / "figs"
    assert_built(build_from_wheel(inst, names, out), names, out)
