"""Running checks and figures, with progress, a summary table and reports.

``run_checks`` writes each check's record, ``OUT/checks/<name>.json``,
atomically as soon as the check finishes. A later run into the same folder
with the same master seed and size reuses every record whose key (check name,
size, master seed, the check's parameters, amlab version) matches, so a run
killed at any point (even by ``kill -9``) loses at most the checks in flight.
The output folder is tested for writing before any check runs.

Checks are run as units of work (``simulations.checks.registry.plan_check``): every
unit of every check goes to the backend (largest cost first on a pool), and a
check is combined, judged and recorded as soon as its last unit is back. The
output of each finished unit is also kept, atomically, in
``OUT/checks/units/<name>/`` until its check is recorded, so an interrupted
run resumes without redoing the units it finished.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from simulations.core.errors import FigureError
from simulations.core.io import atomic_write_json, atomic_write_text, provenance
from simulations.checks.report import (BulletList, Heading, Image, Link, ListItem, NumberedList, Paragraph, Preformatted,
                                Strong, Table, Verdict, markdown_blocks, slug, to_html, to_markdown)
from simulations.core.progress import bar as progress_bar
from simulations.checks.registry import Check, CheckResult, Point, check_params, finish_check, plan_check
from simulations.checks.schedule import unit_weights
from simulations.core.seeds import canonical, derive_seed, key_hash


class OutputError(RuntimeError):
    """The output folder cannot be created or written."""


def check_out_path(out: Union[str, os.PathLike]) -> Path:
    """Refuse an output folder that cannot be one, without creating or writing anything.

    ``out`` is refused (``OutputError``) when it exists and is not a folder,
    when the nearest existing folder above it is a file, or when that folder
    (``out`` itself if it exists) cannot be written into. Commands call this
    before any work or heavy import; ``ensure_writable`` later creates the
    folder and proves it writable with a block of data.

    Parameters
    ----------
    out : str or Path
        The output folder a command was given (``--out``).

    Returns
    -------
    Path
        ``out`` as a ``Path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.NamedTemporaryFile() as f:
    ...     check_out_path(f.name)
    Traceback (most recent call last):
    ...
    simulations.checks.runner.OutputError: output folder ... is a file, not a folder (...)
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"output folder {out} is a file, not a folder (give a folder; it is created if missing)")
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"output folder {out} is not writable: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == out else f": cannot create it in {existing}"
        raise OutputError(f"output folder {out} is not writable{where} (permission denied)")
    return out


def ensure_writable(out: Union[str, os.PathLike]) -> Path:
    """Create ``out`` if needed and prove it writable (a temporary file), else ``OutputError``."""
    out = check_out_path(out)
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


def _fmt_mde(r: CheckResult) -> str:
    """The check's minimum detectable error on its key quantity: absolute, and relative where the theory is not 0."""
    if not r.mde == r.mde:
        return "-"
    return _fmt(r.mde) + (f" ({100 * r.mde_relative:.3g}%)" if r.mde_relative == r.mde_relative else "")


def table(results: Sequence[CheckResult]) -> str:
    """A plain-text summary table of check results; smoke checks (``CheckResult.smoke``) in a section of their own.

    The ``MDE (key)`` column is the check's minimum detectable error on its key quantity
    (``CheckResult.mde``), with its percentage of that quantity.
    """
    main = [r for r in results if not r.smoke]
    smoke = [r for r in results if r.smoke]
    text = _table(main) if main else ""
    if smoke:
        text += ("\n\n" if text else "") + ("smoke checks (minimum detectable error above 10% of the key quantity: "
                                             "a pass says little)\n") + _table(smoke)
    return text


def _table(results: Sequence[CheckResult]) -> str:
    rows = [("check", "points", "theory (worst point)", "simulation [interval]", "margin", "MDE (key)", "seconds",
             "verdict")]
    for r in results:
        tested = [p for p in r.points if p.kind != "reported"]
        worst = min(tested, key=lambda p: p.margin if p.margin == p.margin else -float("inf")) if tested else None
        rows.append((
            r.name,
            str(len(r.points)),
            _fmt(worst.theory) + (f" +- {_fmt(worst.tolerance)}" if worst and worst.tolerance else "") if worst else "-",
            f"{_fmt(worst.estimate)} [{_fmt(worst.low)}, {_fmt(worst.high)}]" if worst else "-",
            _fmt(r.margin),
            _fmt_mde(r),
            f"{r.seconds:.1f}",
            "PASS" if r.passed else "FAIL",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _point_cell(p) -> list:
    if p.kind == "reported":
        return ["reported"]
    return [Verdict(bool(p.ok), "yes" if p.ok else "NO")]


#: The way back to the table of contents, after each section's heading in the report.
UP = [" ", Link("\u2191 contents", "#contents")]


def _name_links(kind: str, names, anchors) -> list:
    """Inline links to the report's sections of ``kind`` for ``names``; a name without a section stays
    text, marked as not in the report."""
    out = []
    for k, name in enumerate(names):
        if k:
            out.append(", ")
        out.append(Link(name, "#" + slug(kind, name)) if name in anchors else f"{name} (not in this report)")
    return out


def check_blocks(results: Sequence[CheckResult], checks: Optional[Dict[str, Check]] = None,
                 figures: Collection[str] = (), derivations: Collection[str] = ()) -> list:
    """The check part of a report: a summary table, then a section per check with its points.

    Parameters
    ----------
    results : list of CheckResult
    checks : dict, optional
        Name -> ``Check`` (its declared ``figures`` and ``derivations``); without it the sections
        carry no links.
    figures, derivations : collection of str
        Names that have a section in the same report: declared names among them become links,
        the others stay text.
    """
    checks = checks or {}
    linked = bool(checks)
    header = ["check", "verdict", "margin", "MDE (key)", "seconds"] + (["figures", "derivations"] if linked else [])
    rows = []
    for r in results:
        c = checks.get(r.name)
        row = [[Link(r.name, "#" + slug("check", r.name))], [Verdict(r.passed)] + ([" (smoke)"] if r.smoke else []),
               [_fmt(r.margin)], [_fmt_mde(r)], [f"{r.seconds:.1f}"]]
        if linked:
            row += [_name_links("figure", c.figures, figures) if c else [],
                    _name_links("derivation", c.derivations, derivations) if c else []]
        rows.append(row)
    blocks = [Heading(1, ["Checks"], "checks"), Table(header, rows)]
    for r in results:
        c = checks.get(r.name)
        blocks += [Heading(2, [f"{r.name}: {r.title}"] + (UP if linked else []), slug("check", r.name)),
                   Paragraph(["Verdict: ", Verdict(r.passed), f" (margin {_fmt(r.margin)}, {r.seconds:.1f} s)"]
                             + ([" Smoke test: its minimum detectable error exceeds 10% of its key quantity."]
                                if r.smoke else [])),
                   Paragraph([f"Minimum detectable error (80% power): {_fmt_mde(r)} on {r.mde_point or '-'}"]),
                   Paragraph([f"Theory: {r.theory}"]), Paragraph([f"Test: {r.test}"])]
        if c and (c.figures or c.derivations):
            see = []
            if c.figures:
                see += ["Figures: "] + _name_links("figure", c.figures, figures)
            if c.derivations:
                see += (["; "] if see else []) + ["derivations: " if see else "Derivations: "]
                see += _name_links("derivation", c.derivations, derivations)
            blocks.append(Paragraph(see))
        points = []
        for p in r.points:
            pv = "-" if p.p_value is None else f"{p.p_value:.3g}"
            points.append([[p.label], [_fmt(p.theory)], [_fmt(p.tolerance)], [_fmt(p.estimate)],
                           [f"[{_fmt(p.low)}, {_fmt(p.high)}]"], [pv], [_fmt(p.mde) if p.tested else "-"],
                           _point_cell(p)])
        blocks.append(Table(["point", "theory", "tolerance", "simulation", "interval", "p-value", "MDE", "ok"],
                            points))
    return blocks


def markdown(results: Sequence[CheckResult]) -> str:
    """A Markdown report (``checks.md``) with one section per check and a row per point."""
    return to_markdown([Heading(1, ["amlab checks"])] + check_blocks(results)[1:])


#: Run-wide false-alarm level: the probability that a run of correct code reports any failure.
RUN_ALPHA = 0.05


def run_wide(results: Sequence[CheckResult], alpha: float = RUN_ALPHA) -> dict:
    """Run-wide false-alarm control: Holm's procedure over the checks' own p-values at level ``alpha``.

    Each check keeps its internal Holm correction; its p-value is its smallest
    Holm-adjusted one (``CheckResult.p_check``, 0 for a failed deterministic
    comparison), and the ``N`` checks are judged together by Holm at
    ``alpha``: the first step tests the smallest at ``alpha / N``. Under
    correct code the run fails with probability at most ``alpha`` whatever the
    dependence between checks. Returns ``{"alpha", "passed", "failed"
    (names), "first_step"}``; the default verdict of each check is not changed.

    Examples
    --------
    >>> from simulations.checks.point import CheckResult, Point
    >>> ok = CheckResult("a", "", "", "", "quick", 0, [Point("x", 0, 0, 0, 0, p_value=0.004)], True, 0.0)
    >>> run_wide([ok] * 2)["passed"]   # p_check 0.004 <= 0.05 / 2: rejected
    False
    >>> run_wide([ok] * 20)["passed"]  # 0.004 > 0.05 / 20 at the first step: none rejected
    True
    """
    from simulations.checks.stats import holm

    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    ps = [r.p_check for r in results]
    reject = holm(ps, alpha) if ps else []
    failed = [r.name for r, x in zip(results, reject) if x]
    return {"alpha": alpha, "passed": not failed, "failed": failed,
            "first_step": alpha / len(ps) if ps else float("nan")}


def run_wide_line(verdict: dict, n: int) -> str:
    """The summary line of ``run_wide``'s verdict."""
    head = (f"run-wide false-alarm control: {'PASS' if verdict['passed'] else 'FAIL'} at "
            f"{100 * verdict['alpha']:g}% (Holm over the {n} checks' smallest adjusted p-values")
    tail = f"; rejected: {', '.join(verdict['failed'])})" if verdict["failed"] else ")"
    return head + tail


def check_seed(master: int, name: str) -> int:
    """The seed check ``name`` runs with: derived from (master seed, name) only,
    so a subset of checks gives the same numbers as the whole set."""
    return derive_seed(master, {"check": name})


def run_unit(fn: Callable[..., Any], kwargs: dict) -> Tuple[Any, float]:
    """Task for a backend: one unit of work, ``(fn(**kwargs), seconds)``."""
    t0 = time.perf_counter()
    out = fn(**kwargs)
    return out, time.perf_counter() - t0


def record_key(check: Check, size: str, seed: int) -> dict:
    """What a finished check's record must match to be reused: name, size, master seed, parameters, version."""
    from simulations.core.version import __version__

    return {"check": check.name, "size": size, "seed": int(seed), "params": check.sizes.get(size, {}),
            "amlab": __version__}


def record_path(out: Union[str, os.PathLike], name: str) -> Path:
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
                            kind=p.get("kind", "band"), se=p.get("se"), n=p.get("n"), dist=p.get("dist", "z")))
    return CheckResult(d["name"], d["title"], d["theory"], d["test"], d["size"], d["seed"], points, d["passed"],
                       d["seconds"], d.get("params") or {}, d.get("units") or {}, _nan(d.get("mde")),
                       d.get("mde_point") or "", _nan(d.get("mde_relative")), bool(d.get("smoke", False)))


def load_finished(out: Union[str, os.PathLike], check: Check, size: str, seed: int) -> Optional[CheckResult]:
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


def unit_path(out: Union[str, os.PathLike], name: str, label: str) -> Path:
    """Where the output of check ``name``'s unit ``label`` is kept until the check is recorded."""
    return Path(out) / "checks" / "units" / name / f"{key_hash(label)[:20]}.pkl"


def _unit_key(check, size, seed, label) -> dict:
    return {**record_key(check, size, seed), "unit": label}


def load_unit(out: Union[str, os.PathLike], check: Check, size: str, seed: int,
              label: str) -> Optional[Tuple[Any, float]]:
    """``(output, seconds)`` of a finished unit of an earlier run with the same key, or ``None``."""
    try:
        with open(unit_path(out, check.name, label), "rb") as fh:
            rec = pickle.load(fh)
        if canonical(rec["key"]) != canonical(_unit_key(check, size, seed, label)):
            return None
        return rec["output"], rec["seconds"]
    except Exception:  # absent, torn, or another run's: recompute
        return None


def _save_unit(out, check, size, seed, label, output, seconds) -> None:
    path = unit_path(out, check.name, label)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump({"key": _unit_key(check, size, seed, label), "output": output, "seconds": seconds}, fh)
            os.replace(tmp, path)
        except BaseException:
            _unlink_quietly(tmp)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _unlink_quietly(path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def run_checks(checks: Sequence[Check], size: str = "quick", seed: int = 0,
               out: Union[str, os.PathLike] = Path("amlab-checks"), workers: Optional[int] = None,
               scheduler: Optional[str] = None, echo: Callable[[str], Any] = print, timeout: Optional[float] = None,
               processes: Optional[int] = None, run_alpha: float = RUN_ALPHA) -> List[CheckResult]:
    """Run ``checks``, print a table and write ``checks.json`` and ``checks.md`` into ``out``.

    The summary ends with the run-wide false-alarm verdict (``run_wide`` at
    ``run_alpha``), also written to ``checks.json``; it changes no check's
    verdict.

    Each check runs with ``check_seed(seed, name)``, as its units of work
    (``simulations.checks.registry.plan_check``). With ``processes`` the units run in
    a pool of that many worker processes, with ``workers`` or ``scheduler`` as
    tasks on a Dask cluster, submitted largest cost first; otherwise one after
    another in this process. Every backend gives the same points bit for bit.
    ``out`` is tested for writing first (``OutputError``); each check's record
    is written to ``out/checks/NAME.json`` as it finishes, and records of an
    earlier run with the same key (``record_key``) are reused instead of rerun,
    as are the finished units of a check that was interrupted.
    """
    from simulations.sweeps.backends import check_backend_options, get_backend

    check_backend_options(workers, scheduler, processes)
    if isinstance(run_alpha, bool) or not isinstance(run_alpha, (int, float)) or not 0 < run_alpha < 1:
        raise ValueError(f"run_alpha must be a number in (0, 1), got {run_alpha!r}")
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
        works, outputs, secs, left = {}, {}, {}, {}
        tasks, n_reused_units = [], 0
        for i in todo:
            c, s_i = checks[i], check_seed(seed, checks[i].name)
            works[i] = plan_check(c, size, s_i)
            outputs[i] = [None] * len(works[i].units)
            secs[i] = {}
            left[i] = 0
            for j, u in enumerate(works[i].units):
                done = load_unit(out, c, size, seed, u.label)
                if done is not None:
                    outputs[i][j], secs[i][u.label] = done
                    n_reused_units += 1
                else:
                    tasks.append((i, j))
                    left[i] += 1
        if n_reused_units:
            echo(f"reusing {n_reused_units} finished unit(s) of interrupted checks from {out / 'checks' / 'units'}")

        def finish(i):
            c = checks[i]
            works_i = works[i]
            r = finish_check(c, size, check_seed(seed, c.name), check_params(c, size), works_i, outputs[i],
                             float(sum(secs[i].values())), {u.label: secs[i][u.label] for u in works_i.units})
            results[i] = r
            _save_finished(out, c, size, seed, r)
            shutil.rmtree(out / "checks" / "units" / c.name, ignore_errors=True)
            return r

        with get_backend(workers=workers, scheduler=scheduler, timeout=timeout, processes=processes) as backend:
            if backend.name != "local":
                # largest first: the longest units start at once and the short ones fill the gaps
                weight = {i: unit_weights(checks[i].name, size, works[i].units) for i in todo}
                tasks.sort(key=lambda t: -weight[t[0]][t[1]])
                echo(f"running {len(tasks)} units of {len(todo)} checks on {backend.describe()}")
            with progress_bar(len(checks), "checks", unit="check", initial=len(checks) - len(todo)) as bar:
                for i in todo:
                    if left[i] == 0:  # every unit came from an interrupted run
                        bar.set_postfix_str(_label(finish(i)))
                        bar.update(1)
                args = [(works[i].units[j].fn, works[i].units[j].kwargs) for i, j in tasks]
                for k, (output, seconds) in backend.map_unordered(run_unit, args):
                    i, j = tasks[k]
                    u = works[i].units[j]
                    outputs[i][j], secs[i][u.label] = output, seconds
                    left[i] -= 1
                    if left[i] == 0:
                        bar.set_postfix_str(_label(finish(i)))
                        bar.update(1)
                    elif len(works[i].units) > 1:
                        _save_unit(out, checks[i], size, seed, u.label, output, seconds)
    total = time.perf_counter() - t0
    echo(table(results))
    wide = run_wide(results, run_alpha)
    _write_json(out / "checks.json", {"provenance": provenance(), "size": size, "seed": seed,
                                      "seconds": total, "passed": all(r.passed for r in results),
                                      "run_wide": wide, "reused": reused,
                                      "checks": [r.to_dict() for r in results]})
    _write_text(out / "checks.md", markdown(results))
    n_ok = sum(r.passed for r in results)
    echo(f"{n_ok}/{len(results)} checks passed in {total:.1f} s; reports: {out / 'checks.md'}, {out / 'checks.json'}")
    echo(run_wide_line(wide, len(results)))
    return results


class FiguresNotBuilt(RuntimeError):
    """Some figures wrote nothing; ``failures`` lists ``(name, reason)`` for each.

    Examples
    --------
    >>> str(FiguresNotBuilt([("a", "no data")]))
    'figure a wrote nothing: no data'
    """

    def __init__(self, failures: Iterable[Tuple[str, str]]) -> None:
        self.failures = list(failures)
        super().__init__("; ".join(f"figure {name} wrote nothing: {why}" for name, why in self.failures))


def _build_one(fig, out: Path, quick: bool, seed: int):
    """The files ``fig`` wrote, or ``(None, reason)`` when it wrote nothing."""
    try:
        paths = [Path(p) for p in fig.func(Path(out), quick=quick, seed=seed)]
    except FigureError as exc:
        return None, str(exc)
    if not paths:
        return None, "its builder returned no files"
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        return None, f"its builder named files that do not exist: {', '.join(missing)}"
    return paths, ""


def build_figures(figures: Sequence[Any], out: Union[str, os.PathLike] = Path("amlab-figures"), quick: bool = True,
                  seed: int = 0, echo: Callable[[str], Any] = print) -> List[Path]:
    """Build each figure into ``out``; return the list of files written.

    A figure that writes nothing (its builder raises ``simulations.core.errors.FigureError``,
    returns no paths, or names files that do not exist) does not count as done:
    after the other figures are built, ``FiguresNotBuilt`` names each such figure
    with its reason.
    """
    files, failures = [], []
    out = ensure_writable(out)
    with progress_bar(len(figures), "figures", unit="figure") as bar:
        for fig in figures:
            paths, why = _build_one(fig, Path(out), quick, seed)
            if paths is None:
                failures.append((fig.name, why))
                continue
            files += paths
            bar.set_postfix_str(fig.name)
            bar.update(1)
    for f in files:
        echo(f"wrote {f}")
    if failures:
        raise FiguresNotBuilt(failures)
    return files


@dataclass(frozen=True)
class DemoRun:
    """One teaching demo run by ``run_demos``: its name and title, the files it wrote, its wall time, and
    ``error`` (empty when it ran; else why it failed)."""

    name: str
    title: str
    files: Tuple[Path, ...]
    seconds: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def run_demos(demos: Sequence[Any], out: Union[str, os.PathLike], *, small: bool, seed: int = 0,
              echo: Callable[[str], Any] = print) -> List[DemoRun]:
    """Run each demo non-interactively into ``out/<name>/``; return one ``DemoRun`` per demo.

    A demo is any object with ``name``, ``title`` and ``func(out_dir, *, small, seed, echo)`` returning the
    paths it wrote (``amlab.demos.Demo``; this module does not import ``amlab``). Its narrative goes to
    ``out/<name>/narrative.txt`` instead of the terminal; one progress line per demo is echoed. A demo that
    raises, returns no files or names files that do not exist is failed (``error`` says why), and the
    others still run.
    """
    out = ensure_writable(out)
    runs: List[DemoRun] = []
    for i, demo in enumerate(demos, 1):
        folder = ensure_writable(Path(out) / demo.name)
        lines: List[str] = []
        t0 = time.perf_counter()
        files: List[Path] = []
        try:
            files = [Path(p) for p in demo.func(folder, small=small, seed=seed, echo=lines.append)]
            missing = [str(p) for p in files if not p.is_file()]
            error = (f"it named files that do not exist: {', '.join(missing)}" if missing
                     else "" if files else "it returned no files")
        except Exception as exc:  # a broken demo is reported and the run goes on, like a figure that wrote nothing
            error = f"{type(exc).__name__}: {exc}"
        secs = time.perf_counter() - t0
        if lines:
            files.append(atomic_write_text(folder / "narrative.txt", "\n".join(str(x) for x in lines) + "\n"))
        files = [f for f in files if f.is_file()]
        runs.append(DemoRun(demo.name, demo.title, tuple(files), secs, error))
        if error:
            echo(f"error: demo {demo.name} failed: {error}")
        else:
            echo(f"demo {demo.name} ({i}/{len(demos)}): {len(files)} files in {secs:.1f} s")
    return runs


#: What each column of the check tables means (written into every report).
COLUMNS = [
    ("check", "the registered name of the check (amlab check NAME runs it alone)"),
    ("verdict", "PASS when every tested point of the check passes after Holm's correction at a family-wise "
                "level of 1%; FAIL otherwise"),
    ("margin", "the smallest, over the check's tested points, distance between the prediction band "
               "(theory +- tolerance) and the far edge of the simulation's 99% interval, in the unit of the "
               "quantity compared (a probability, an overlap, a load alpha, a number of patterns K, a distance); "
               "positive: band and interval overlap by that much, negative: they miss by that much. For a bound "
               "it is how far the estimate stays on the allowed side"),
    ("MDE (key)", "minimum detectable error: the deviation of the check's key quantity from its theory that makes "
                  "the check fail with 80% power (that point alone wrong, its test at Holm's first step), "
                  "tolerance + (z_(1-a/2) + z_0.8) standard errors; in brackets as a percentage of the key "
                  "quantity. A check whose MDE exceeds 10% of it is a smoke test, marked (smoke)"),
    ("seconds", "wall-clock time of the check on this machine"),
    ("point", "one comparison: the parameters it was simulated at"),
    ("theory", "the prediction of the formula under test at that point"),
    ("tolerance", "the allowance for the formula's known approximation error (Gaussian tail, finite N), "
                  "derived from the model, not from the data, and kept apart from sampling error"),
    ("simulation", "the simulated estimate (a mean, a proportion, a fitted crossing)"),
    ("interval", "the estimate's 99% sampling interval (Wilson for proportions, Student-t or z for means)"),
    ("p-value", "the test of 'the truth lies within theory +- tolerance' at that point, before Holm's "
                "correction; '-' for deterministic comparisons (bounds)"),
    ("MDE", "the point's own minimum detectable error at level 1% and 80% power (before Holm's correction)"),
    ("ok", "whether the point passes; 'reported' points are shown, not tested"),
]


def _figure_meta(png: Path) -> dict:
    import json

    try:
        return json.loads(png.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return {}


def _bibliography() -> list:
    """The project's bibliography (docs/references.md) as report blocks when the source tree is at hand."""
    path = Path(__file__).resolve().parents[2] / "docs" / "references.md"
    head = Heading(1, ["References"], "references")
    if path.is_file():
        blocks = markdown_blocks(path.read_text(encoding="utf-8"))
        if blocks and isinstance(blocks[0], Heading):  # the file's own title, "# References"
            blocks = blocks[1:]
        return [head] + blocks
    return [head, Paragraph(["The papers are listed in docs/references.md of the amlab source."])]


def _derivation_blocks(used_by: dict) -> list:
    """A section per derivation of ``used_by`` (name -> checks): its source and steps, and the checks
    that test it."""
    import theory.catalog  # noqa: F401  (registers the derivations)
    from theory.derivation import DERIVATIONS, format_expr

    blocks = []
    for name in used_by:
        blocks.append(Heading(2, [name] + UP, slug("derivation", name)))
        try:
            d = DERIVATIONS[name]()
        except Exception as exc:  # the report of a long run is still written; the failure is shown
            blocks.append(Paragraph([Verdict(False, "ERROR"), f" the derivation failed: {type(exc).__name__}: {exc}"]))
            continue
        blocks += [Paragraph([Strong(d.title)]), Paragraph([f"Source: {d.source}"]),
                   NumberedList([ListItem([s.text], [Preformatted(format_expr(s.expr))]) for s in d.steps]),
                   Paragraph(["Tested by: "] + _name_links("check", used_by[name], used_by[name]) +
                             [f". Print it with amlab derive {name} (--latex for LaTeX)."])]
    return blocks


def _contents(results, figure_heads, derivations, demos: Sequence[DemoRun] = ()) -> list:
    """The table of contents: every section, each check with its verdict, each figure and derivation."""
    n_ok = sum(r.passed for r in results)
    items = [ListItem([Link("Run: mode, versions, machine, timings", "#run")]),
             ListItem([Link("How to read the check tables", "#reading")]),
             ListItem([Link(f"Checks ({n_ok}/{len(results)} passed)", "#checks")],
                      [BulletList([ListItem([Link(r.name, "#" + slug("check", r.name)), " ", Verdict(r.passed)])
                                   for r in results])] if results else [])]
    items.append(ListItem([Link(f"Figures ({len(figure_heads)})", "#figures")],
                          [BulletList([ListItem([Link(text, "#" + anchor)]) for text, anchor in figure_heads])]
                          if figure_heads else []))
    if demos:
        items.append(ListItem([Link(f"Demos ({sum(d.ok for d in demos)}/{len(demos)} ran)", "#demos")]))
    items.append(ListItem([Link(f"Derivations ({len(derivations)})", "#derivations")],
                          [BulletList([ListItem([Link(n, "#" + slug("derivation", n))]) for n in derivations])]
                          if derivations else []))
    items.append(ListItem([Link("References", "#references")]))
    return [Heading(2, ["Contents"], "contents"), BulletList(items)]


def _declared(results, checks, what: str) -> dict:
    """Figure or derivation name -> the checks of ``results`` that declare it (in the checks' order)."""
    used = {}
    for r in results:
        for name in getattr(checks.get(r.name), what, ()):
            used.setdefault(name, []).append(r.name)
    return used


def report_blocks(results: Sequence[CheckResult], checks: Dict[str, Check], built: Sequence[Path], out: Path, *,
                  size: str, seed: int, timings: dict, derivation_blocks: list,
                  not_built: Iterable[Tuple[str, str]] = (), demos: Sequence[DemoRun] = ()) -> Tuple[list, list]:
    """The reproduce report: ``(blocks, contents)``, both lists of ``simulations.checks.report`` blocks.

    ``checks`` maps names to the ``Check`` objects run (their declared figures
    and derivations become links both ways); ``built`` is a list of
    ``(figure, paths, seconds)``; ``timings`` holds ``checks``, ``figures``,
    ``derivations`` and ``total`` seconds; ``derivation_blocks`` the
    sections of ``_derivation_blocks``; ``not_built`` lists ``(name, reason)``
    of the figures that wrote nothing; ``demos`` the ``DemoRun`` of each teaching demo run (a section
    listing each with its files, seconds and ok/failed; none when empty), with ``timings['demos']``.
    """
    import platform

    prov = provenance()
    n_ok = sum(r.passed for r in results)
    by_figure = _declared(results, checks, "figures")
    derivations = list(_declared(results, checks, "derivations"))  # in the order of the checks that use them
    blocks = [Heading(1, ["amlab report"], "top"), Heading(2, ["Run"], "run"), BulletList([ListItem([t]) for t in (
        f"Mode: {size} ({'reduced sizes, minutes' if size == 'quick' else 'full sizes'}); master seed {seed}",
        f"amlab {prov['amlab']}; Python {prov['python']}, numpy {prov['numpy']}, scipy {prov['scipy']}, "
        f"numba {prov['numba']}, sympy {prov['sympy']}",
        f"Date (UTC): {prov['time']}",
        f"Machine: {platform.platform()}, {prov['processor']}, {prov['cpus']} CPUs",
        f"Timings: checks {timings['checks']:.1f} s, figures {timings['figures']:.1f} s, "
        + (f"demos {timings['demos']:.1f} s, " if demos else "")
        + f"derivations {timings['derivations']:.1f} s, total {timings['total']:.1f} s",
        f"Checks: {n_ok}/{len(results)} passed",
        f"Figures: {len(built)}/{len(built) + len(not_built)} built"
        + "".join(f"; {name} NOT BUILT: {why}" for name, why in not_built))]
        + ([ListItem([f"Demos: {sum(d.ok for d in demos)}/{len(demos)} ran"
                      + "".join(f"; {d.name} FAILED: {d.error}" for d in demos if not d.ok)])] if demos else [])),
        Heading(2, ["How to read the check tables"], "reading"),
        BulletList([ListItem([f"{name}: {text}."]) for name, text in COLUMNS]),
        Paragraph(["Each check links to the figures that show what it compares and to the derivation of its "
                   "prediction; each figure and derivation links back to its checks. Papers behind each formula, "
                   "check and figure: see the ", Link("References", "#references"),
                   " at the end (docs/references.md)."])]
    figure_heads, fig_blocks, figure_names = [], [Heading(1, ["Figures"], "figures")], set()
    k = 0
    for fig, paths, secs in built:
        paths = [Path(f) for f in paths]
        pngs = [f for f in paths if f.suffix == ".png"]
        figure_names.add(fig.name)
        for j, f in enumerate(pngs or [None]):
            anchor = slug("figure", fig.name) if j == 0 else slug("figure", f"{fig.name}-{j + 1}")
            if f is None:
                fig_blocks += [Heading(2, [fig.name] + UP, anchor), Paragraph([fig.title, " (no image written)"])]
                figure_heads.append((fig.name, anchor))
                continue
            k += 1
            meta = _figure_meta(f)
            fig_blocks += [Heading(2, [f"Figure {k}: {fig.name}"] + UP, anchor),
                           Image(str(f.relative_to(out)), f.stem, f),
                           Paragraph([f"Figure {k}. {meta.get('caption', fig.title)}"]),
                           Paragraph([f"Regenerates: {meta.get('source', 'not stated')}. Size: "
                                      f"{meta.get('size', size)}; built in {secs:.1f} s."])]
            figure_heads.append((f"Figure {k}: {fig.name}", anchor))
        if by_figure.get(fig.name):
            fig_blocks.append(Paragraph(["Checked by: "] + _name_links("check", by_figure[fig.name],
                                                                        by_figure[fig.name])))
        files = [f for f in paths if f.suffix in (".pdf", ".json", ".md")]
        if files:
            fig_blocks.append(BulletList([ListItem([Link(f.name, str(f.relative_to(out)))]) for f in files]))
    blocks += check_blocks(results, checks, figure_names, derivations) + fig_blocks + _demo_blocks(demos, out, size)
    blocks += [Heading(1, ["Derivations"], "derivations")]
    blocks += derivation_blocks or [Paragraph(["No check of this run declares one."])]
    blocks += _bibliography() + [Paragraph([f"Total time: {timings['total']:.1f} s"])]
    return blocks, _contents(results, figure_heads, derivations, demos)


def _demo_blocks(demos: Sequence[DemoRun], out: Path, size: str) -> list:
    """The report's Demos section: one table row per demo (name, title, files, seconds, ok or failed)."""
    if not demos:
        return []

    def rel(f: Path) -> str:
        try:
            return str(f.relative_to(out))
        except ValueError:
            return str(f)

    rows = []
    for d in demos:
        files: list = []
        for f in d.files:
            files += ([", "] if files else []) + [Link(f.name, rel(f))]
        rows.append([[d.name], [d.title], files or ["none"], [f"{d.seconds:.1f}"],
                     [Verdict(d.ok, "ok" if d.ok else "failed")] + ([f": {d.error}"] if d.error else [])])
    return [Heading(1, ["Demos"], "demos"),
            Paragraph(["The teaching demos (amlab demo NAME), run non-interactively at "
                       f"{'their small size' if size == 'quick' else 'full size'}; each one's narrative is in its "
                       "narrative.txt."]),
            Table(["demo", "title", "files", "seconds", "ok"], rows)]


def reproduce(checks: Sequence[Check], figures: Sequence[Any], size: str = "quick", seed: int = 0,
              out: Union[str, os.PathLike] = Path("amlab-report"), workers: Optional[int] = None,
              scheduler: Optional[str] = None, echo: Callable[[str], Any] = print, timeout: Optional[float] = None,
              processes: Optional[int] = None, demos: Sequence[Any] = ()) -> bool:
    """Run every check, build every figure, run every demo given; write ``report.md`` and ``report.html``.

    ``report.html`` stands alone (figures embedded as base64 PNG) and states
    the mode, seed, amlab version, date, machine and timings; it opens with a
    table of contents, explains every column of the check tables, shows each
    verdict in colour (with its word), links each check to its figures and
    derivations (declared in ``register_check``) and back, puts the caption
    and source under each figure and prints each linked derivation. Finished
    checks of an earlier run into ``out`` are reused as in ``run_checks``.
    ``demos`` (objects like ``amlab.demos.Demo``, passed in by the command
    line, since this module does not import ``amlab``) run after the figures
    through ``run_demos``, small at ``size='quick'``, into ``out/demos/<name>/``,
    and are listed in the report. Returns True when all checks pass, every
    figure was built and every demo ran (a figure that wrote nothing or a
    demo that failed is named, with its reason, in the output and in the
    report, and makes the result False).
    """
    t0 = time.perf_counter()
    out = ensure_writable(out)
    ensure_writable(out / "figures")
    if demos:
        ensure_writable(out / "demos")
    results = run_checks(checks, size=size, seed=seed, out=out, workers=workers, scheduler=scheduler, echo=echo,
                         timeout=timeout, processes=processes)
    t_checks = time.perf_counter() - t0
    built, not_built = [], []
    for fig in figures:
        t1 = time.perf_counter()
        try:
            paths = build_figures([fig], out=out / "figures", quick=size == "quick", seed=seed, echo=echo)
        except FiguresNotBuilt as exc:
            echo(f"error: {exc}")
            not_built += exc.failures
            continue
        built.append((fig, paths, time.perf_counter() - t1))
    t_figs = time.perf_counter() - t0 - t_checks
    t_demo = time.perf_counter()
    demo_runs = run_demos(demos, out / "demos", small=size == "quick", seed=seed, echo=echo) if demos else []
    t_demos = time.perf_counter() - t_demo
    t2 = time.perf_counter()
    by_name = {c.name: c for c in checks}
    derivation_blocks = _derivation_blocks(_declared(results, by_name, "derivations"))
    timings = {"checks": t_checks, "figures": t_figs, "demos": t_demos, "derivations": time.perf_counter() - t2,
               "total": time.perf_counter() - t0}
    blocks, contents = report_blocks(results, by_name, built, out, size=size, seed=seed, timings=timings,
                                     derivation_blocks=derivation_blocks, not_built=not_built, demos=demo_runs)
    _write_text(out / "report.md", to_markdown(blocks[:1] + contents + blocks[1:]))
    _write_text(out / "report.html", to_html(blocks, title="amlab report", nav=contents))
    ok = all(r.passed for r in results) and not not_built and all(d.ok for d in demo_runs)
    echo(f"report: {out / 'report.md'}, {out / 'report.html'}")
    return ok
