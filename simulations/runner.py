"""Running checks and figures, with progress, a summary table and reports.

``run_checks`` writes each check's record, ``OUT/checks/<name>.json``,
atomically as soon as the check finishes. A later run into the same folder
with the same master seed and size reuses every record whose key (check name,
size, master seed, the check's parameters, amlab version) matches, so a run
killed at any point (even by ``kill -9``) loses at most the checks in flight.
The output folder is tested for writing before any check runs.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from simulations.io import atomic_write_json, atomic_write_text, provenance
from simulations.progress import bar as progress_bar
from simulations.registry import CheckResult, Point, run_check
from simulations.seeds import canonical, derive_seed


class OutputError(RuntimeError):
    """The output folder cannot be created or written."""


def ensure_writable(out) -> Path:
    """Create ``out`` if needed and prove it writable (a temporary file), else ``OutputError``."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".amlab-write-test.", dir=out)
        try:
            os.write(fd, b"\0" * 4096)  # a block of data, so a full disk is found now, not an hour in
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(tmp)
    except OSError as exc:
        raise OutputError(f"output folder {out} is not writable: {exc.strerror or exc}") from None
    return out


def _write_json(path, obj) -> Path:
    try:
        return atomic_write_json(path, obj)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_text(path, text) -> Path:
    try:
        return atomic_write_text(path, text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


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


def record_key(check, size: str, seed: int) -> dict:
    """What a finished check's record must match to be reused: name, size, master seed, parameters, version."""
    from amlab import __version__

    return {"check": check.name, "size": size, "seed": int(seed), "params": check.sizes.get(size, {}),
            "amlab": __version__}


def record_path(out, name: str) -> Path:
    """Where check ``name``'s record is kept in the output folder ``out``."""
    return Path(out) / "checks" / f"{name}.json"


def _nan(x):
    return float("nan") if x is None else x


def result_from_dict(d: dict) -> CheckResult:
    """A ``CheckResult`` from ``CheckResult.to_dict()`` (nulls back to NaN)."""
    points = []
    for p in d["points"]:
        points.append(Point(label=p["label"], theory=_nan(p["theory"]), estimate=_nan(p["estimate"]),
                            low=_nan(p["low"]), high=_nan(p["high"]), tolerance=_nan(p["tolerance"]),
                            p_value=p["p_value"], ok=p["ok"], params=p.get("params") or {},
                            kind=p.get("kind", "band")))
    return CheckResult(d["name"], d["title"], d["theory"], d["test"], d["size"], d["seed"], points, d["passed"],
                       d["seconds"], d.get("params") or {})


def load_finished(out, check, size: str, seed: int):
    """The reusable result of ``check`` in ``out`` (same key), or ``None``."""
    path = record_path(out, check.name)
    try:
        rec = json.loads(path.read_text())
        if canonical(rec["key"]) != canonical(record_key(check, size, seed)):
            return None
        return result_from_dict(rec["result"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent, torn by an older version, or another run's: recompute


def _save_finished(out, check, size, seed, result) -> None:
    _write_json(record_path(out, check.name), {"key": record_key(check, size, seed), "provenance": provenance(),
                                              "result": result.to_dict()})


def _label(r) -> str:
    return f"{r.name} {'PASS' if r.passed else 'FAIL'} in {r.seconds:.1f} s"


def run_checks(checks, size="quick", seed=0, out=Path("amlab-checks"), workers=None, scheduler=None, echo=print,
               timeout=None):
    """Run ``checks``, print a table and write ``checks.json`` and ``checks.md`` into ``out``.

    Each check runs with ``check_seed(seed, name)``. With ``workers`` or
    ``scheduler`` the checks run as tasks on a Dask cluster (one task per
    check); otherwise one after another in this process. ``out`` is tested
    for writing first (``OutputError``); each check's record is written to
    ``out/checks/NAME.json`` as it finishes, and records of an earlier run
    with the same key (``record_key``) are reused instead of rerun.
    """
    from simulations.backends import get_backend

    checks = list({c.name: c for c in checks}.values())  # a name given twice runs once
    out = ensure_writable(out)
    results = [None] * len(checks)
    for i, c in enumerate(checks):
        results[i] = load_finished(out, c, size, seed)
    reused = [c.name for c, r in zip(checks, results) if r is not None]
    if reused:
        echo(f"reusing {len(reused)} finished check(s) from {out / 'checks'} (same seed {seed} and size {size}): "
             f"{', '.join(reused)}")
    todo = [i for i, r in enumerate(results) if r is None]
    t0 = time.perf_counter()
    if todo:
        with get_backend(workers=workers, scheduler=scheduler, timeout=timeout) as backend:
            with progress_bar(len(checks), "checks", unit="check", initial=len(checks) - len(todo)) as bar:
                if backend.name == "local":
                    for i in todo:
                        results[i] = run_check(checks[i], size=size, seed=check_seed(seed, checks[i].name))
                        _save_finished(out, checks[i], size, seed, results[i])
                        bar.set_postfix_str(_label(results[i]))
                        bar.update(1)
                else:
                    echo(f"running {len(todo)} checks on {backend.describe()}")
                    tasks = [(checks[i].name, size, check_seed(seed, checks[i].name)) for i in todo]
                    for j, r in backend.map_unordered(_run_named_check, tasks):
                        results[todo[j]] = r
                        _save_finished(out, checks[todo[j]], size, seed, r)
                        bar.set_postfix_str(_label(r))
                        bar.update(1)
    total = time.perf_counter() - t0
    echo(table(results))
    _write_json(out / "checks.json", {"provenance": provenance(), "size": size, "seed": seed,
                                      "seconds": total, "passed": all(r.passed for r in results),
                                      "reused": reused, "checks": [r.to_dict() for r in results]})
    _write_text(out / "checks.md", markdown(results))
    n_ok = sum(r.passed for r in results)
    echo(f"{n_ok}/{len(results)} checks passed in {total:.1f} s; reports: {out / 'checks.md'}, {out / 'checks.json'}")
    return results


def build_figures(figures, out=Path("amlab-figures"), quick=True, seed=0, echo=print):
    """Build each figure into ``out``; return the list of files written."""
    files = []
    out = ensure_writable(out)
    with progress_bar(len(figures), "figures", unit="figure") as bar:
        for fig in figures:
            files += list(fig.func(Path(out), quick=quick, seed=seed))
            bar.set_postfix_str(fig.name)
            bar.update(1)
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
              echo=print, timeout=None) -> bool:
    """Run every check and build every figure; write ``report.md`` and ``report.html``.

    Finished checks of an earlier run into ``out`` are reused as in
    ``run_checks``. Returns True when all checks pass.
    """
    t0 = time.perf_counter()
    out = ensure_writable(out)
    ensure_writable(out / "figures")
    results = run_checks(checks, size=size, seed=seed, out=out, workers=workers, scheduler=scheduler, echo=echo,
                         timeout=timeout)
    files = build_figures(figures, out=out / "figures", quick=size == "quick", seed=seed, echo=echo)
    lines = [markdown(results), "# Figures", ""]
    for f in files:
        rel = Path(f).relative_to(out)
        lines.append(f"![{Path(f).stem}]({rel})" if Path(f).suffix == ".png" else f"- [{Path(f).name}]({rel})")
    lines += ["", f"Total time: {time.perf_counter() - t0:.1f} s"]
    text = "\n".join(lines) + "\n"
    _write_text(out / "report.md", text)
    _write_text(out / "report.html", markdown_to_html(text))
    ok = all(r.passed for r in results)
    echo(f"report: {out / 'report.md'}, {out / 'report.html'}")
    return ok
