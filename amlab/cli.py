"""The ``amlab`` command line.

Subcommands: ``list``, ``check``, ``figures``, ``derive``, ``sweep``,
``demo``, ``reproduce``. Exit status: 0 on success, 1 when a check fails, 2 on
bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from amlab import __version__


class UsageError(Exception):
    """Bad command-line usage (exit status 2)."""


def _load(module: str):
    return importlib.import_module(module)


def _registries():
    _load("simulations.checks")
    _load("simulations.estimators")
    _load("figures.catalog")
    _load("theory.catalog")
    from figures.registry import FIGURES
    from simulations.registry import CHECKS
    from theory.derivation import DERIVATIONS

    return CHECKS, FIGURES, DERIVATIONS


def _select(registry, names, kind):
    if not names:
        return list(registry.values())
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise UsageError(f"unknown {kind}: {', '.join(unknown)}; known: {', '.join(sorted(registry)) or '(none)'}")
    return [registry[n] for n in names]


def cmd_list(args) -> int:
    kinds = ("checks", "figures", "derivations", "estimators")
    what = args.what or list(kinds)
    bad = [w for w in what if w not in kinds]
    if bad:
        raise UsageError(f"amlab list takes checks, figures, derivations or estimators, got {', '.join(bad)}")
    checks, figures, derivations = _registries()
    from simulations.estimators import ESTIMATORS

    if "checks" in what:
        print("checks:")
        for c in checks.values():
            print(f"  {c.name:28s} {c.title}")
    if "figures" in what:
        print("figures:")
        for f in figures.values():
            print(f"  {f.name:28s} {f.title}")
    if "derivations" in what:
        print("derivations:")
        for name, fn in derivations.items():
            print(f"  {name:28s} {(fn.__doc__ or '').strip().splitlines()[0] if fn.__doc__ else ''}")
    if "estimators" in what:
        print("estimators:")
        for e in ESTIMATORS.values():
            print(f"  {e.name:28s} {e.title}")
    return 0


def cmd_derive(args) -> int:
    _, _, derivations = _registries()
    if args.name not in derivations:
        raise UsageError(f"unknown derivation {args.name!r}; known: {', '.join(sorted(derivations)) or '(none)'}")
    print(derivations[args.name]().render(latex=args.latex), end="")
    return 0


def cmd_check(args) -> int:
    from simulations.runner import run_checks

    checks, _, _ = _registries()
    selected = _select(checks, args.names, "check")
    results = run_checks(selected, size=args.size, seed=args.seed, out=Path(args.out), workers=args.workers,
                         scheduler=args.scheduler)
    return 0 if all(r.passed for r in results) else 1


def _value(text: str):
    """A command-line value: int, float, true/false, none, else the string itself."""
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


def cmd_sweep(args) -> int:
    from simulations.estimators import ESTIMATORS
    from simulations.sweep import SpecMismatchError, export, records_table, sweep

    _registries()
    if args.estimator not in ESTIMATORS:
        raise UsageError(f"unknown estimator {args.estimator!r}; known: {', '.join(sorted(ESTIMATORS))}")
    grid = _assignments(args.grid, "--grid", multi=True)
    fixed = _assignments(args.param, "--param", multi=False)
    if not grid:
        raise UsageError("give at least one --grid name=v1,v2,...")
    known = set(ESTIMATORS[args.estimator].defaults)
    unknown = sorted((set(grid) | set(fixed)) - known)
    if unknown:
        raise UsageError(f"estimator {args.estimator} takes {', '.join(sorted(known))}; unknown: {', '.join(unknown)}")
    from simulations.backends import get_backend

    try:
        with get_backend(workers=args.workers, scheduler=args.scheduler) as backend:
            res = sweep(args.estimator, grid, Path(args.out), params=fixed, seed=args.seed, backend=backend)
    except SpecMismatchError as exc:
        raise UsageError(str(exc)) from None
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


def cmd_figures(args) -> int:
    from simulations.runner import build_figures

    _, figures, _ = _registries()
    selected = _select(figures, args.names, "figure")
    build_figures(selected, out=Path(args.out), quick=args.size == "quick", seed=args.seed)
    return 0


def cmd_reproduce(args) -> int:
    from simulations.runner import reproduce

    checks, figures, _ = _registries()
    ok = reproduce(list(checks.values()), list(figures.values()), size=args.size, seed=args.seed,
                   out=Path(args.out), workers=args.workers, scheduler=args.scheduler)
    return 0 if ok else 1


def cmd_train(args) -> int:
    """``amlab train icl``: experiment 1 (residual attention streams); needs the ``train`` extra."""
    import dataclasses

    try:
        from simulations.train import icl
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    cfg = icl.FULL if args.size == "full" else icl.QUICK
    changes = {k: v for k, v in (("seeds", args.seeds), ("steps", args.steps), ("eval_every", args.eval_every),
                                 ("novel", args.novel)) if v is not None}
    if args.variant:
        changes["variants"] = tuple(dict.fromkeys(["baseline"] + args.variant))
    changes["seed"] = args.seed
    cfg = dataclasses.replace(cfg, **changes)
    try:
        cfg.validate()
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    out = Path(args.out)
    res = icl.train_icl(cfg, out, max_seconds=args.max_seconds)
    from figures.train import plot_icl

    files = plot_icl(res, out, quick=args.size != "full", seed=args.seed)
    print(icl.format_table(res["table"]))
    t = res["timing"]
    if t.get("steps_per_s"):
        print(f"{t['steps_per_s']:.1f} steps/s ({t['run_steps_per_s']:.0f} run-steps/s) on {t['device']}, "
              f"compile + first chunk {t['compile_s']:.1f} s")
    print(f"results: {out / 'icl.json'}, {out / 'icl_curves.csv'}, {out / 'icl_table.md'}, {files[0]}")
    return 0


def _add_common(p, out_default):
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="size", action="store_const", const="quick", help="small sizes (default)")
    size.add_argument("--full", dest="size", action="store_const", const="full", help="full sizes")
    p.set_defaults(size="quick")
    p.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    p.add_argument("--out", default=out_default, help=f"output folder (default {out_default})")


def _add_parallel(p):
    g = p.add_mutually_exclusive_group()
    g.add_argument("--workers", type=int, default=None, help="start a local Dask cluster with N workers")
    g.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amlab", description="Associative memories from theory to simulation.")
    parser.add_argument("--version", action="version", version=f"amlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list checks, figures and derivations")
    p.add_argument("what", nargs="*", help="checks, figures and/or derivations (default: all)")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("derive", help="print a derivation step by step")
    p.add_argument("name")
    p.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    p.set_defaults(func=cmd_derive)

    p = sub.add_parser("check", help="run theory-versus-simulation checks")
    p.add_argument("names", nargs="*", metavar="NAME")
    _add_common(p, "amlab-checks")
    _add_parallel(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("figures", help="build figures (PNG, PDF and the data behind them)")
    p.add_argument("names", nargs="*", metavar="NAME")
    _add_common(p, "amlab-figures")
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("sweep", help="run an estimator over a parameter grid into a resumable store")
    p.add_argument("estimator", metavar="ESTIMATOR", help="a name from `amlab list estimators`")
    p.add_argument("--grid", action="append", metavar="NAME=V1,V2,...",
                   help="a swept parameter (repeat for a cartesian product)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter fixed for every point")
    p.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    p.add_argument("--out", required=True, help="store folder (resumed if it holds the same sweep)")
    _add_parallel(p)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("train", help="train transformers in JAX (needs amlab[train])")
    tsub = p.add_subparsers(dest="experiment", metavar="EXPERIMENT", required=True)
    t = tsub.add_parser("icl", help="residual attention streams: steps to 95%% ICL accuracy per variant")
    t.add_argument("--variant", action="append", choices=["values", "queries", "keys"],
                   help="a variant trained beside the baseline (repeat; default: all)")
    t.add_argument("--seeds", type=int, default=None, help="runs per variant")
    t.add_argument("--steps", type=int, default=None, help="training steps (a multiple of --eval-every)")
    t.add_argument("--eval-every", type=int, default=None, help="steps between evaluations")
    t.add_argument("--novel", choices=["redraw", "pool"], default=None, help="novel-class generator")
    t.add_argument("--max-seconds", type=float, default=None, help="stop after this wall time (resumable)")
    _add_common(t, "amlab-train-icl")
    t.set_defaults(func=cmd_train)

    p = sub.add_parser("reproduce", help="run every check and build every figure, then write a report")
    _add_common(p, "amlab-report")
    _add_parallel(p)
    p.set_defaults(func=cmd_reproduce)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
        if getattr(args, "seed", 0) is not None and getattr(args, "seed", 0) < 0:
            parser.error(f"--seed must be a non-negative integer, got {args.seed}")
        if getattr(args, "workers", None) is not None and args.workers < 1:
            parser.error(f"--workers must be >= 1, got {args.workers}")
    except SystemExit as exc:  # argparse: --help/--version (0) and bad usage (2)
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"amlab: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        if "amlab[distributed]" in str(exc):
            print(f"amlab: error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
