"""Running checks and figures, with progress, a summary table and reports."""

from __future__ import annotations

import time
from pathlib import Path

from tqdm.auto import tqdm

from simulations.io import atomic_write_json, atomic_write_text, provenance
from simulations.registry import run_check
from simulations.seeds import derive_seed


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def table(results) -> str:
    """A plain-text summary table of check results."""
    rows = [("check", "points", "theory (worst point)", "simulation [interval]", "margin", "seconds", "verdict")]
    for r in results:
        tested = [p for p in r.points if p.kind != "reported"]
        worst = min(tested, key=lambda p: p.margin if p.margin == p.margin else -float("inf")) if tested else None
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
                       f"[{_fmt(p.low)}, {_fmt(p.high)}] | {pv} | {'reported' if p.kind == 'reported' else 'yes' if p.ok else 'NO'} |")
    return "\n".join(out) + "\n"


def check_seed(master: int, name: str) -> int:
    """The seed check ``name`` runs with: derived from (master seed, name) only,
    so a subset of checks gives the same numbers as the whole set."""
    return derive_seed(master, {"check": name})


def _run_named_check(name: str, size: str, seed: int):
    """Task for a backend: import the checks (on a worker too) and run one."""
    import simulations.checks  # noqa: F401  (registers the checks)
    from simulations.registry import CHECKS

    return run_check(CHECKS[name], size=size, seed=seed)


def run_checks(checks, size="quick", seed=0, out=Path("amlab-checks"), workers=None, scheduler=None, echo=print):
    """Run ``checks``, print a table and write ``checks.json`` and ``checks.md`` into ``out``.

    Each check runs with ``check_seed(seed, name)``. With ``workers`` or
    ``scheduler`` the checks run as tasks on a Dask cluster (one task per
    check); otherwise one after another in this process.
    """
    from simulations.backends import get_backend

    checks = list(checks)
    results = [None] * len(checks)
    t0 = time.perf_counter()
    with get_backend(workers=workers, scheduler=scheduler) as backend:
        if backend.name == "local":
            bar = tqdm(checks, desc="checks", unit="check", disable=None)
            for i, check in enumerate(bar):
                bar.set_postfix_str(check.name)
                results[i] = run_check(check, size=size, seed=check_seed(seed, check.name))
        else:
            echo(f"running {len(checks)} checks on {backend.describe()}")
            tasks = [(c.name, size, check_seed(seed, c.name)) for c in checks]
            with tqdm(total=len(checks), desc="checks", unit="check", disable=None) as bar:
                for i, r in backend.map_unordered(_run_named_check, tasks):
                    results[i] = r
                    bar.set_postfix_str(r.name)
                    bar.update(1)
    total = time.perf_counter() - t0
    echo(table(results))
    out = Path(out)
    atomic_write_json(out / "checks.json", {"provenance": provenance(), "size": size, "seed": seed,
                                            "seconds": total, "passed": all(r.passed for r in results),
                                            "checks": [r.to_dict() for r in results]})
    atomic_write_text(out / "checks.md", markdown(results))
    n_ok = sum(r.passed for r in results)
    echo(f"{n_ok}/{len(results)} checks passed in {total:.1f} s; reports: {out / 'checks.md'}, {out / 'checks.json'}")
    return results


def build_figures(figures, out=Path("amlab-figures"), quick=True, seed=0, echo=print):
    """Build each figure into ``out``; return the list of files written."""
    files = []
    for fig in tqdm(figures, desc="figures", unit="figure", disable=None):
        files += list(fig.func(Path(out), quick=quick, seed=seed))
    for f in files:
        echo(f"wrote {f}")
    return files


def markdown_to_html(md: str, title: str = "amlab report") -> str:
    """A small HTML rendering of the reports' Markdown (headings, tables, images, links, paragraphs)."""
    import html
    import re

    def inline(text):
        text = html.escape(text, quote=False)
        text = re.sub(r"!\[([^\]]*)\]\(([^)]+)\)", r'<img alt="\1" src="\2" style="max-width:100%">', text)
        return re.sub(r"\[([^\]]*)\]\(([^)]+)\)", r'<a href="\2">\1</a>', text)

    out, in_table = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                     "<style>body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}"
                     "td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>"], False
    for line in md.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue
            if not in_table:
                out.append("<table>")
                in_table = True
                out.append("<tr>" + "".join(f"<th>{inline(c)}</th>" for c in cells) + "</tr>")
            else:
                out.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        m = re.match(r"^(#+) (.*)", line)
        if m:
            k = len(m.group(1))
            out.append(f"<h{k}>{inline(m.group(2))}</h{k}>")
        elif line.startswith("- "):
            out.append(f"<li>{inline(line[2:])}</li>")
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    if in_table:
        out.append("</table>")
    return "\n".join(out + ["</body></html>"]) + "\n"


def reproduce(checks, figures, size="quick", seed=0, out=Path("amlab-report"), workers=None, scheduler=None,
              echo=print) -> bool:
    """Run every check and build every figure; write ``report.md`` and ``report.html``.

    Returns True when all checks pass.
    """
    t0 = time.perf_counter()
    out = Path(out)
    results = run_checks(checks, size=size, seed=seed, out=out, workers=workers, scheduler=scheduler, echo=echo)
    files = build_figures(figures, out=out / "figures", quick=size == "quick", seed=seed, echo=echo)
    lines = [markdown(results), "# Figures", ""]
    for f in files:
        rel = Path(f).relative_to(out)
        lines.append(f"![{Path(f).stem}]({rel})" if Path(f).suffix == ".png" else f"- [{Path(f).name}]({rel})")
    lines += ["", f"Total time: {time.perf_counter() - t0:.1f} s"]
    text = "\n".join(lines) + "\n"
    atomic_write_text(out / "report.md", text)
    atomic_write_text(out / "report.html", markdown_to_html(text))
    ok = all(r.passed for r in results)
    echo(f"report: {out / 'report.md'}, {out / 'report.html'}")
    return ok
