"""The ``amlab`` command line.

Subcommands: ``list``, ``check``, ``figures``, ``derive``, ``sweep``, ``warm``,
``demo``, ``reproduce``. Exit status: 0 on success, 1 when a check fails, 2 on
bad usage. Every user error (a bad name or value, an output folder that cannot
be written, a busy or foreign sweep store, an unreachable Dask scheduler, the
Dask extra missing) is reported in one line on standard error, before any
computation where it can be known in advance.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from amlab import __version__

#: BLAS thread-pool variables set to 1 (unless the user set them) before numpy is first imported: amlab
#: parallelises with Numba threads (and Dask workers), and a BLAS pool on top of them oversubscribes the
#: cores (a 60 x 300 ``fields`` call measured 27 ms instead of 0.8 ms on a loaded 2-core machine;
#: benchmarks/bench_blas_threads.py). OMP_NUM_THREADS is left alone (Numba's OpenMP layer reads it).
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def limit_blas_threads() -> None:
    """One BLAS thread for this process and the worker processes it starts (see ``BLAS_THREAD_VARIABLES``).

    The environment variables act when numpy loads its BLAS; if numpy is
    already loaded, ``threadpoolctl`` is used when it is importable (it is not
    a dependency), else the process keeps its BLAS pool.
    """
    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    if "numpy" in sys.modules:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            return
        threadpool_limits(1, user_api="blas")


limit_blas_threads()


class UsageError(Exception):
    """Bad command-line usage (exit status 2)."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line, ``PROG: error: MESSAGE``, exit status 2.

    argparse prints the whole usage block before the message; a user who typed
    ``--steps abc`` needs the message alone, and the pointer to ``--help``
    (which still prints the full usage). Subparsers inherit the class.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _check_out(args) -> None:
    """Refuse ``args.out`` before any work or heavy import (``simulations.checks.runner.check_out_path``)."""
    from simulations.checks.runner import check_out_path

    check_out_path(args.out)


def _load(module: str):
    return importlib.import_module(module)


def _checks():
    _load("simulations.checks.suite")
    from simulations.checks.registry import CHECKS

    return CHECKS


def _figures():
    _load("figures.catalog")
    from figures.registry import FIGURES

    return FIGURES


def _derivations():
    _load("theory.catalog")
    from theory.derivation import DERIVATIONS

    return DERIVATIONS


def _registries():
    """Every registry (importing only what a command needs keeps its start fast)."""
    _load("simulations.estimators").discover()
    return _checks(), _figures(), _derivations()


def _select(registry, names, kind):
    if not names:
        return list(registry.values())
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise UsageError(f"unknown {kind}: {', '.join(unknown)}; known: {', '.join(sorted(registry)) or '(none)'}")
    return [registry[n] for n in dict.fromkeys(names)]  # a name given twice runs once


def _user_errors():
    """The exception classes that mean a user error (one line, exit 2)."""
    from simulations.sweeps.backends import BackendError, MissingExtraError
    from simulations.checks.runner import OutputError
    from simulations.sweeps.sweep import SpecMismatchError, StoreLockedError
    from hopfield._device import DeviceUnavailableError

    return (UsageError, OutputError, BackendError, MissingExtraError, SpecMismatchError, StoreLockedError,
            DeviceUnavailableError)


def apply_device(device: str) -> None:
    """Check that ``device`` is usable, then make it the default of every public call (``$AMLAB_DEVICE``).

    ``"gpu"`` needs both Numba's CUDA target (the integer-exact simulators) and
    CuPy (the float memories): :func:`hopfield._device.cuda` and
    :func:`hopfield._device.array_module` raise ``DeviceUnavailableError`` with
    one line otherwise, before any work. The variable is inherited by the
    worker processes this process starts (process pool, local Dask cluster).
    """
    from hopfield import _device

    device = _device.as_device(device, "--device")
    if device == "gpu":
        _device.cuda()
        _device.array_module("gpu")
    os.environ[_device.ENV_DEFAULT] = device


def cmd_list(args: argparse.Namespace) -> int:
    kinds = ("checks", "figures", "derivations", "estimators", "demos")
    what = args.what or list(kinds)
    bad = [w for w in what if w not in kinds]
    if bad:
        raise UsageError(f"amlab list takes checks, figures, derivations, estimators or demos, got {', '.join(bad)}")
    from simulations.estimators import discover

    if "checks" in what:
        print("checks:")
        for c in _checks().values():
            print(f"  {c.name:28s} {c.title}")
    if "figures" in what:
        print("figures:")
        for f in _figures().values():
            via = f" (sweep: {', '.join(f.estimators)})" if f.estimators else ""
            print(f"  {f.name:28s} {f.title}{via}")
    if "derivations" in what:
        print("derivations:")
        for name, fn in _derivations().items():
            print(f"  {name:28s} {(fn.__doc__ or '').strip().splitlines()[0] if fn.__doc__ else ''}")
    if "estimators" in what:
        from simulations.estimators import ALIASES, describe

        print("estimators:")
        for e in discover().values():
            old = [a for a, n in ALIASES.items() if n == e.name]
            print(f"  {e.name:28s} {e.title}" + (f" (formerly {', '.join(old)})" if old else ""))
            if e.params or e.defaults:
                print(describe(e))
    if "demos" in what:
        from amlab.demos import DEMOS

        print("demos:")
        for d in DEMOS.values():
            print(f"  {d.name:28s} {d.title}")
    return 0


def cmd_derive(args: argparse.Namespace) -> int:
    derivations = _derivations()
    if args.name not in derivations:
        raise UsageError(f"unknown derivation {args.name!r}; known: {', '.join(sorted(derivations)) or '(none)'}")
    print(derivations[args.name]().render(latex=args.latex), end="")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from simulations.checks.runner import run_checks

    _check_out(args)
    selected = _select(_checks(), args.names, "check")
    if args.size == "huge":
        without = [c.name for c in selected if "huge" not in c.sizes]
        if args.names and without:
            raise UsageError(f"--huge: {', '.join(without)} has no huge size; checks with one: "
                             f"{', '.join(n for n, c in _checks().items() if 'huge' in c.sizes)}")
        selected = [c for c in selected if "huge" in c.sizes]
    background = None
    if args.scheduler is None and args.processes is None:  # a cold cache: compile the kernels the checks need
        from amlab.warm import prefetch_for_checks  # in the background (amlab.warm); a process pool uses every core

        background = prefetch_for_checks(selected)
    try:
        results = run_checks(selected, size=args.size, seed=args.seed, out=Path(args.out), workers=args.workers,
                             scheduler=args.scheduler, timeout=args.timeout, processes=args.processes)
    finally:
        if background:
            from amlab.warm import stop_prefetch

            stop_prefetch(background)
    return 0 if all(r.passed for r in results) else 1


def cmd_warm(args: argparse.Namespace) -> int:
    from amlab.warm import FAMILIES, cache_location, warm_cache

    bad = [f for f in args.families if f not in FAMILIES]
    if bad:
        raise UsageError(f"unknown family: {', '.join(bad)}; known: {', '.join(FAMILIES)}")
    print(f"kernel cache: {cache_location()}")
    for name, seconds in warm_cache(args.families or None, workers=args.workers).items():
        print(f"  {name:28s} {seconds:7.1f} s")
    return 0


def _value(text: str):
    """A command-line value: int, float, true/false, none, else the string itself.

    The estimator's declarations then check the type and range (``1e3`` for an
    int parameter is canonicalised to ``1000``; ``100.5``, ``nan``, ``abc`` are
    refused), see ``_amlab.params``.
    """
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def _assignments(items, option, multi):
    out = {}
    for item in items or []:
        name, sep, rhs = item.partition("=")
        name = name.strip()
        if not sep or not name or not rhs.strip():
            raise UsageError(f"{option} takes name=value{',value...' if multi else ''}, got {item!r}")
        if name in out:
            raise UsageError(f"{option} names {name!r} twice")
        vals = [_value(v) for v in rhs.split(",")] if multi else _value(rhs)
        if multi and any(isinstance(v, str) and not v.strip() for v in vals):
            raise UsageError(f"{option} {item!r} has an empty value")
        out[name] = vals
    return out


def cmd_sweep(args: argparse.Namespace) -> int:
    from simulations.estimators import ALIASES, ESTIMATORS
    from simulations.sweeps.sweep import export, plan, records_table, sweep

    _check_out(args)
    _load("simulations.estimators").discover()
    name = args.estimator
    if name in ALIASES:
        print(f"amlab: note: estimator {name!r} is now called {ALIASES[name]!r}; the old name will be removed",
              file=sys.stderr)
        name = ALIASES[name]
    if name not in ESTIMATORS:
        raise UsageError(f"unknown estimator {name!r}; known: {', '.join(sorted(ESTIMATORS))}")
    grid = _assignments(args.grid, "--grid", multi=True)
    fixed = _assignments(args.param, "--param", multi=False)
    if not grid:
        raise UsageError("give at least one --grid name=v1,v2,...")
    try:  # every value is checked against the estimator's declarations before anything is written
        plan(name, grid, params=fixed, seed=args.seed)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"sweep {name}: {exc}") from None
    from simulations.sweeps.backends import get_backend
    from simulations.checks.runner import ensure_writable

    ensure_writable(args.out)
    with get_backend(workers=args.workers, scheduler=args.scheduler, timeout=args.timeout) as backend:
        res = sweep(name, grid, Path(args.out), params=fixed, seed=args.seed, backend=backend)
    files = export(res.records, Path(args.out))
    rows = records_table(res.records)
    cols = list(dict.fromkeys(k for row in rows for k in row))
    shown = rows[:20]
    text = [[str(c) for c in cols]] + [[f"{r.get(c, ''):.4g}" if isinstance(r.get(c), float) else str(r.get(c, ''))
                                         for c in cols] for r in shown]
    widths = [max(len(row[i]) for row in text) for i in range(len(cols))]
    for row in text:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths)))
    if len(rows) > len(shown):
        print(f"... {len(rows) - len(shown)} more rows in {files[1]}")
    print(f"{res.computed} points computed, {res.reused} reused, {res.seconds:.1f} s on {res.backend}; "
          f"records: {files[0]}, {files[1]}")
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    from simulations.checks.runner import FiguresNotBuilt, build_figures

    _check_out(args)
    selected = _select(_figures(), args.names, "figure")
    try:
        build_figures(selected, out=Path(args.out), quick=args.size == "quick", seed=args.seed)
    except FiguresNotBuilt as exc:  # a figure that wrote nothing is an error, never "done"
        for name, why in exc.failures:
            print(f"amlab figures: error: figure {name} wrote nothing: {why}", file=sys.stderr)
        return 1
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    """Checks, figures, then every registered teaching demo (small at ``--quick``) into ``OUT/demos/``."""
    from amlab.demos import DEMOS
    from simulations.checks.runner import reproduce

    _check_out(args)
    checks, figures, _ = _registries()
    ok = reproduce(list(checks.values()), list(figures.values()), size=args.size, seed=args.seed,
                   out=Path(args.out), workers=args.workers, scheduler=args.scheduler, timeout=args.timeout,
                   processes=args.processes, demos=list(DEMOS.values()))
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from amlab.demos import DEMOS

    if args.notebook is not None and not args.name:
        raise UsageError("--notebook needs a demo NAME (amlab demo --list shows them)")
    if args.list or not args.name:
        print("demos:")
        for d in DEMOS.values():
            print(f"  {d.name:20s} {d.title}")
        return 0
    if args.name not in DEMOS:
        raise UsageError(f"unknown demo: {args.name}; known: {', '.join(DEMOS)}")
    if args.notebook is not None:
        return _demo_notebook(args)
    from simulations.checks.runner import ensure_writable

    _check_out(args)
    ensure_writable(args.out)
    DEMOS[args.name].func(Path(args.out), small=args.small, seed=args.seed)
    return 0


def _demo_notebook(args: argparse.Namespace) -> int:
    """``amlab demo NAME --notebook PATH``: write the demo's notebook (``amlab.notebooks``), run nothing."""
    from amlab.notebooks import write_notebook

    path = Path(args.notebook)
    if path.suffix != ".ipynb" or path.is_dir():
        raise UsageError(f"--notebook expects a file name ending in .ipynb, got {args.notebook!r}")
    try:
        import nbformat  # noqa: F401
    except ImportError:
        raise UsageError("--notebook needs nbformat (pip install 'amlab[docs]')") from None
    try:
        written = write_notebook(args.name, path, small=args.small, seed=args.seed, out=args.out)
    except OSError as exc:
        raise UsageError(f"--notebook: cannot write {args.notebook}: {exc.strerror or exc}") from None
    print(f"Wrote {written} (open it with Jupyter; its cells call amlab.demos)")
    return 0


def _number(convert, ok, expected: str):
    """An argparse ``type``: ``convert(text)``, refused with ``expected`` unless ``ok(value)``."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
        return value

    return parse


_seed = _number(int, lambda v: v >= 0, "a non-negative integer")
_workers = _number(int, lambda v: v >= 1, "a positive integer")
_positive = _number(float, lambda v: math.isfinite(v) and v > 0, "a positive number")
_seconds = _number(float, lambda v: math.isfinite(v) and v > 0, "a positive number of seconds")


def _train_config(name: str, args, changes: dict):
    """The preset of ``simulations.train.<name>`` for ``--quick``/``--full`` with the common
    options (``--seeds``, ``--steps``, ``--eval-every``, ``--seed``) and ``changes`` applied,
    validated; ``(module, config)``. A missing ``train`` extra or a bad value is a usage error."""
    import dataclasses
    import importlib

    _check_out(args)  # before JAX is imported
    try:
        mod = importlib.import_module(f"simulations.train.{name}")
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    cfg = mod.FULL if args.size == "full" else mod.QUICK
    common = {k: v for k, v in (("seeds", args.seeds), ("steps", args.steps), ("eval_every", args.eval_every))
              if v is not None}
    extra = changes(cfg) if callable(changes) else changes
    cfg = dataclasses.replace(cfg, **common, **extra, seed=args.seed)
    try:
        cfg.validate()
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    return mod, cfg


def _print_timing(t: dict, prefix: str = "") -> None:
    if t.get("steps_per_s"):
        print(f"{prefix}{t['steps_per_s']:.1f} steps/s ({t['run_steps_per_s']:.0f} run-steps/s) on {t['device']}, "
              f"compile + first chunk {t['compile_s']:.1f} s")


def cmd_train(args: argparse.Namespace) -> int:
    """``amlab train icl``: experiment 1 (residual attention streams); needs the ``train`` extra."""
    from simulations.checks.runner import ensure_writable

    changes = {} if args.novel is None else {"novel": args.novel}
    if args.variant:
        changes["variants"] = tuple(dict.fromkeys(["baseline"] + args.variant))
    icl, cfg = _train_config("icl", args, changes)
    out = ensure_writable(args.out)
    res = icl.train_icl(cfg, out, max_seconds=args.max_seconds)
    from figures.train import plot_icl

    files = plot_icl(res, out, quick=args.size != "full", seed=args.seed)
    print(icl.format_table(res["table"]))
    _print_timing(res["timing"])
    print(f"results: {out / 'icl.json'}, {out / 'icl_curves.csv'}, {out / 'icl_table.md'}, {files[0]}")
    return 0


def cmd_train_lm(args: argparse.Namespace) -> int:
    """``amlab train lm``: the value residual stream in a small language model; needs the ``train`` extra."""
    from simulations.checks.runner import ensure_writable

    def changes(cfg):
        c = {k: v for k, v in (("corpus", args.corpus), ("lr", args.lr), ("batch", args.batch),
                               ("stream_from", args.stream_from)) if v is not None}
        if args.variant:
            c["variants"] = tuple(dict.fromkeys(["baseline"] + args.variant))
        return c

    lm, cfg = _train_config("lm", args, changes)
    out = ensure_writable(args.out)
    try:
        res = lm.train_lm(cfg, out, max_seconds=args.max_seconds)
    except ValueError as exc:  # the corpus (missing, not UTF-8, too short for T) is checked when it is read
        raise UsageError(str(exc)) from None
    from figures.train_lm import plot_icl, plot_loss

    quick = args.size != "full"
    files = plot_loss(res, out, quick=quick, seed=args.seed) + plot_icl(res, out, quick=quick, seed=args.seed)
    print(lm.format_table(res["table"]))
    t = res["timing"]
    if t.get("tokens_per_s"):
        print(f"{t['tokens_per_s']:.0f} tokens/s ({t['run_steps_per_s']:.1f} run-steps/s) on {t['device']}, "
              f"compile + first chunk {t['compile_s']:.1f} s; {res['n_params']} parameters a run")
    if res["stopped_early"]:
        print("stopped by --max-seconds before the last step; the same command resumes from the checkpoint")
    print(f"results: {out / 'lm.json'}, {out / 'lm_table.md'}, {files[0]}")
    return 0


def cmd_train_induction(args: argparse.Namespace) -> int:
    """``amlab train induction``: experiment 2 (a trained induction head); needs the ``train`` extra."""
    from simulations.checks.runner import ensure_writable

    def changes(cfg):
        c = {k: v for k, v in (("optimizer", args.optimizer), ("lr", args.lr)) if v is not None}
        if args.d:
            c["ds"] = tuple(args.d)
        if args.no_ffn:
            c["ffn"] = False
            c["trained"] = tuple(m for m in cfg.trained if m != "W_F")
        return c

    induction, cfg = _train_config("induction", args, changes)
    out = ensure_writable(args.out)
    res = induction.train_induction(cfg, out, max_seconds=args.max_seconds)
    from figures.train_induction import plot_curves, plot_deviation

    quick = args.size != "full"
    files = plot_curves(res, out, quick=quick, seed=args.seed)
    files += plot_deviation(res, out, quick=quick, seed=args.seed)
    print(induction.format_table(res))
    for d, r in res["runs"].items():
        _print_timing(r["timing"], f"d={d}: ")
    if res["stopped_early"]:
        print("stopped by --max-seconds before the last step; the same command resumes from the checkpoints")
    print(f"results: {out / 'induction.json'}, {out / 'induction_curves.csv'}, {out / 'induction_table.md'}, "
          f"{files[0]}")
    return 0


def cmd_train_mqar(args: argparse.Namespace) -> int:
    """``amlab train mqar``: trained mixers on MQAR beside the ideal memories; needs the ``train`` extra."""
    from simulations.checks.runner import ensure_writable

    changes = {}
    for name in ("mixer", "width", "pairs"):
        if getattr(args, name):
            changes[{"mixer": "mixers", "width": "widths", "pairs": "pairs"}[name]] = \
                tuple(dict.fromkeys(getattr(args, name)))
    if args.seq_len is not None:
        changes["seq_len"] = args.seq_len
    if args.mlp:
        changes["mlp"] = True
    if args.no_conv:
        changes["conv"] = False
    mqar, cfg = _train_config("mqar", args, changes)
    out = ensure_writable(args.out)
    res = mqar.train_mqar(cfg, out, max_seconds=args.max_seconds, budget_s=args.budget_s)
    from figures.train_mqar import plot_state_size, plot_width

    quick = args.size != "full"
    files = plot_width(res, out, quick=quick, seed=args.seed) + plot_state_size(res, out, quick=quick, seed=args.seed)
    print(mqar.format_table(res))
    for name, r in res["programs"].items():
        if r["status"] == "skipped":
            print(f"{name}: not run ({r['reason']})")
        elif r["timing"].get("steps_per_s"):
            t = r["timing"]
            print(f"{name}: {t['steps_per_s']:.1f} steps/s of the vmapped program ({t['model_steps_per_s']:.0f} "
                  f"model-steps/s), compile + first chunk {t['compile_s']:.1f} s, {t['wall_s']:.1f} s in all")
    print(f"on {res['device']} (jax {res['jax']})")
    if any(r["status"] != "done" for r in res["programs"].values()):
        print("some programs did not finish; the same command resumes them (finished programs are kept)")
    print(f"results: {out / 'mqar.json'}, {out / 'mqar_accuracy.csv'}, {out / 'mqar_table.md'}, {files[0]}")
    return 0


def _add_common(p, out_default):
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="size", action="store_const", const="quick", help="small sizes (default)")
    size.add_argument("--full", dest="size", action="store_const", const="full", help="full sizes")
    p.set_defaults(size="quick")
    p.add_argument("--seed", type=_seed, default=0, help="master seed (default 0)")
    p.add_argument("--out", default=out_default, help=f"output folder (default {out_default})")


def _add_device(p):
    p.add_argument("--device", choices=["cpu", "gpu"], default="cpu",
                   help="where the simulators run (default cpu; gpu needs amlab[gpu] and an NVIDIA GPU; "
                        "worker processes share out the GPUs)")


def _add_parallel(p, processes=False):
    from simulations.sweeps.backends import DEFAULT_TIMEOUT

    g = p.add_mutually_exclusive_group()
    g.add_argument("--workers", type=_workers, default=None, help="start a local Dask cluster with N workers")
    g.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler (tcp://host:port)")
    if processes:
        g.add_argument("--processes", type=_workers, default=None, metavar="N",
                       help="run the checks' units of work in N worker processes (no Dask needed; 1 thread each)")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT,
                   help=f"seconds to wait for the --scheduler (default {DEFAULT_TIMEOUT:g})")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="amlab", description="Associative memories from theory to simulation.")
    parser.add_argument("--version", action="version", version=f"amlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list checks, figures, derivations, estimators and demos")
    p.add_argument("what", nargs="*", help="checks, figures and/or derivations (default: all)")
    p.set_defaults(parser=p, func=cmd_list)

    p = sub.add_parser("derive", help="print a derivation step by step")
    p.add_argument("name")
    p.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    p.set_defaults(parser=p, func=cmd_derive)

    p = sub.add_parser("check", help="run theory-versus-simulation checks")
    p.add_argument("names", nargs="*", metavar="NAME")
    _add_common(p, "amlab-checks")
    p.add_argument("--huge", dest="size", action="store_const", const="huge",
                   help="the huge size of the checks that have one (ags-critical: N up to 5e4; use --device gpu)")
    _add_parallel(p, processes=True)
    _add_device(p)
    p.set_defaults(parser=p, func=cmd_check)

    p = sub.add_parser("figures", help="build figures (PNG, PDF and the data behind them)")
    p.add_argument("names", nargs="*", metavar="NAME")
    _add_common(p, "amlab-figures")
    _add_device(p)
    p.set_defaults(parser=p, func=cmd_figures)

    p = sub.add_parser("sweep", help="run an estimator over a parameter grid into a resumable store")
    p.add_argument("estimator", metavar="ESTIMATOR", help="a name from `amlab list estimators`")
    p.add_argument("--grid", action="append", metavar="NAME=V1,V2,...",
                   help="a swept parameter (repeat for a cartesian product)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter fixed for every point")
    p.add_argument("--seed", type=_seed, default=0, help="master seed (default 0)")
    p.add_argument("--out", required=True, help="store folder (resumed if it holds the same sweep)")
    _add_parallel(p)
    _add_device(p)
    p.set_defaults(parser=p, func=cmd_sweep)

    p = sub.add_parser("demo", help="run a scripted teaching demo (--list to see them)")
    p.add_argument("name", nargs="?", metavar="NAME")
    p.add_argument("--list", action="store_true", help="list the demos")
    p.add_argument("--out", default="amlab-demos", help="output folder (default amlab-demos)")
    p.add_argument("--seed", type=_seed, default=0, help="seed (default 0)")
    p.add_argument("--small", action="store_true", help="a reduced size (seconds)")
    p.add_argument("--notebook", metavar="PATH", help="write the demo as a Jupyter notebook (.ipynb) instead of "
                                                      "running it (needs amlab[docs])")
    p.set_defaults(parser=p, func=cmd_demo)
    p = sub.add_parser("train", help="train transformers in JAX (needs amlab[train])")
    tsub = p.add_subparsers(dest="experiment", metavar="EXPERIMENT", required=True)
    t = tsub.add_parser("icl", help="residual attention streams: steps to 95%% ICL accuracy per variant")
    t.add_argument("--variant", action="append", choices=["values", "queries", "keys"],
                   help="a variant trained beside the baseline (repeat; default: all)")
    t.add_argument("--seeds", type=_workers, default=None, help="runs per variant")
    t.add_argument("--steps", type=_workers, default=None, help="training steps (a multiple of --eval-every)")
    t.add_argument("--eval-every", type=_workers, default=None, help="steps between evaluations")
    t.add_argument("--novel", choices=["redraw", "pool"], default=None, help="novel-class generator")
    t.add_argument("--max-seconds", type=_seconds, default=None, help="stop after this wall time (resumable)")
    _add_common(t, "amlab-train-icl")
    t.set_defaults(parser=t, func=cmd_train)
    t = tsub.add_parser("lm", help="value residual stream in a small language model: loss and ICL score")
    t.add_argument("--corpus", default=None, help="UTF-8 text file, or 'sample' (default: .corpus/kjv.txt made "
                   "by benchmarks/prepare_lm_corpus.py)")
    t.add_argument("--variant", action="append", choices=["values", "queries", "keys"],
                   help="a variant trained beside the baseline (repeat; default: values)")
    t.add_argument("--stream-from", choices=["previous", "first"], default=None,
                   help="the block whose projections the streams add (default previous)")
    t.add_argument("--seeds", type=_workers, default=None, help="runs per variant")
    t.add_argument("--steps", type=_workers, default=None, help="training steps (a multiple of --eval-every)")
    t.add_argument("--eval-every", type=_workers, default=None, help="steps between evaluations")
    t.add_argument("--batch", type=_workers, default=None, help="windows per step")
    t.add_argument("--lr", type=_positive, default=None, help="peak learning rate (AdamW)")
    t.add_argument("--max-seconds", type=_seconds, default=None, help="stop after this wall time (resumable)")
    _add_common(t, "amlab-train-lm")
    t.set_defaults(parser=t, func=cmd_train_lm)
    t = tsub.add_parser("induction", help="a trained induction head vs the closed-form logits, several d")
    t.add_argument("--d", type=_workers, action="append", help="embedding dimension (repeat; default 32 64 ...)")
    t.add_argument("--seeds", type=_workers, default=None, help="runs per d")
    t.add_argument("--steps", type=_workers, default=None, help="training steps (a multiple of --eval-every)")
    t.add_argument("--eval-every", type=_workers, default=None, help="steps between probe evaluations")
    t.add_argument("--optimizer", choices=["adam", "sgd"], default=None, help="optimizer (default adam)")
    t.add_argument("--lr", type=_positive, default=None, help="learning rate")
    t.add_argument("--no-ffn", action="store_true", help="no feed-forward bigram memory W_F")
    t.add_argument("--max-seconds", type=_seconds, default=None, help="training time budget (resumable)")
    _add_common(t, "amlab-train-induction")
    t.set_defaults(parser=t, func=cmd_train_induction)

    t = tsub.add_parser("mqar", help="sequence mixers trained on MQAR vs the ideal memory of the same state size")
    t.add_argument("--mixer", action="append", choices=["attention", "linear", "decay", "delta", "gated_delta"],
                   help="a mixer to train (repeat; default: all)")
    t.add_argument("--width", type=_workers, action="append", help="model width d (repeat)")
    t.add_argument("--pairs", type=_workers, action="append", help="key-value pairs per sequence (repeat)")
    t.add_argument("--seq-len", type=_workers, default=None, help="sequence length")
    t.add_argument("--mlp", action="store_true", help="an MLP after each mixer")
    t.add_argument("--no-conv", action="store_true", help="no short convolution before the mixers")
    t.add_argument("--seeds", type=_workers, default=None, help="runs per (mixer, width, pairs)")
    t.add_argument("--steps", type=_workers, default=None, help="training steps (a multiple of --eval-every)")
    t.add_argument("--eval-every", type=_workers, default=None, help="steps between evaluations")
    t.add_argument("--max-seconds", type=_seconds, default=None, help="stop training after this wall time "
                   "(resumable)")
    t.add_argument("--budget-s", type=_seconds, default=None, help="skip programs expected to end past this many "
                   "seconds (recorded as not run)")
    _add_common(t, "amlab-train-mqar")
    t.set_defaults(parser=t, func=cmd_train_mqar)

    p = sub.add_parser("warm", help="compile the simulator kernels into the cache (first runs then start fast)")
    p.add_argument("families", nargs="*", metavar="FAMILY", help="classical, dense, amicl, perceptron, kv, "
                   "induction, capacity (default: all)")
    p.add_argument("--workers", type=_workers, default=2, help="processes compiling at once (default 2)")
    p.set_defaults(parser=p, func=cmd_warm)

    p = sub.add_parser("reproduce", help="run every check, build every figure, run every demo, then write a report")
    _add_common(p, "amlab-report")
    _add_parallel(p, processes=True)
    _add_device(p)
    p.set_defaults(parser=p, func=cmd_reproduce)
    return parser


def _quiet_stdout() -> None:
    """After a closed pipe (``amlab list | head``): send further output nowhere, so exit is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        _quiet_stdout()
        return 0


def _main(argv=None) -> int:
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # reported by the subcommand's parser, which names it
            getattr(args, "parser", parser).error(f"unrecognized arguments: {' '.join(extra)}")
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
    except SystemExit as exc:  # argparse: --help/--version (0) and bad usage (2)
        return int(exc.code or 0)
    try:
        if getattr(args, "device", None) is not None:  # check, sweep, figures, reproduce
            apply_device(args.device)
        return int(args.func(args))
    except _user_errors() as exc:
        print(f"{args.parser.prog}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
