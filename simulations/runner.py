"""Running checks and figures, with progress, a summary table and reports."""

from __future__ import annotations

import time
from pathlib import Path

from tqdm.auto import tqdm

from simulations.io import atomic_write_json, atomic_write_text, provenance
from simulations.registry import run_check


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def table(results) -> str:
    """A plain-text summary table of check results."""
    rows = [("check", "points", "worst point: theory", "simulation [interval]", "margin", "seconds", "verdict")]
    for r in results:
        worst = min(r.points, key=lambda p: p.margin) if r.points else None
        rows.append((
            r.name,
            str(len(r.points)),
            _fmt(worst.theory) + (f" +- {_fmt(worst.tolerance)}" if worst and worst.tolerance else "") if worst else "-",
            f"{_fmt(worst.estimate)} [{_fmt(worst.low)}, {_fmt(worst.high)}]" if worst else "-",
            _fmt(r.margin),
            f"{r.seconds:.1f}",
            "PASS" if r.passed else "FAIL",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(results) -> str:
    """A Markdown report with one section per check and a row per point."""
    out = ["# amlab checks", "", "| check | verdict | margin | seconds |", "|---|---|---|---|"]
    for r in results:
        out.append(f"| {r.name} | {'PASS' if r.passed else 'FAIL'} | {_fmt(r.margin)} | {r.seconds:.1f} |")
    for r in results:
        out += ["", f"## {r.name}: {r.title}", "", f"Theory: {r.theory}", "", f"Test: {r.test}", "",
                "| point | theory | tolerance | simulation | interval | p-value | ok |", "|---|---|---|---|---|---|---|"]
        for p in r.points:
            pv = "-" if p.p_value is None else f"{p.p_value:.3g}"
            out.append(f"| {p.label} | {_fmt(p.theory)} | {_fmt(p.tolerance)} | {_fmt(p.estimate)} | "
                       f"[{_fmt(p.low)}, {_fmt(p.high)}] | {pv} | {'yes' if p.ok else 'NO'} |")
    return "\n".join(out) + "\n"


def run_checks(checks, size="quick", seed=0, out=Path("amlab-checks"), workers=None, scheduler=None, echo=print):
    """Run ``checks`` in order, print a table and write ``checks.json`` and ``checks.md`` into ``out``."""
    results = []
    bar = tqdm(checks, desc="checks", unit="check", disable=None)
    for check in bar:
        bar.set_postfix_str(check.name)
        results.append(run_check(check, size=size, seed=seed))
    echo(table(results))
    out = Path(out)
    atomic_write_json(out / "checks.json", {"provenance": provenance(), "size": size, "seed": seed,
                                            "checks": [r.to_dict() for r in results]})
    atomic_write_text(out / "checks.md", markdown(results))
    echo(f"reports: {out / 'checks.md'}, {out / 'checks.json'}")
    return results


def build_figures(figures, out=Path("amlab-figures"), quick=True, seed=0, echo=print):
    """Build each figure into ``out``; return the list of files written."""
    files = []
    for fig in tqdm(figures, desc="figures", unit="figure", disable=None):
        files += list(fig.func(Path(out), quick=quick, seed=seed))
    for f in files:
        echo(f"wrote {f}")
    return files


def reproduce(checks, figures, size="quick", seed=0, out=Path("amlab-report"), workers=None, scheduler=None,
              echo=print) -> bool:
    """Run every check and build every figure; write ``report.md``. True when all checks pass."""
    t0 = time.perf_counter()
    out = Path(out)
    results = run_checks(checks, size=size, seed=seed, out=out, workers=workers, scheduler=scheduler, echo=echo)
    files = build_figures(figures, out=out / "figures", quick=size == "quick", seed=seed, echo=echo)
    lines = [markdown(results), "# Figures", ""]
    lines += [f"- [{f.name}]({Path(f).relative_to(out)})" for f in files]
    lines += ["", f"Total time: {time.perf_counter() - t0:.1f} s"]
    atomic_write_text(out / "report.md", "\n".join(lines) + "\n")
    ok = all(r.passed for r in results)
    echo(f"{sum(r.passed for r in results)}/{len(results)} checks passed; report: {out / 'report.md'}")
    return ok
