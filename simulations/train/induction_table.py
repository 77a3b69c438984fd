"""Summary table of experiment 2 (a trained induction head) from its results; needs no JAX.

``python -m simulations.train.induction_table RESULTS.json [--docs docs/training.md]`` prints the
Markdown table of an ``induction.json`` written by ``amlab train induction`` and, with ``--docs``,
replaces the block between the markers ``<!-- induction-table:start -->`` and
``<!-- induction-table:end -->`` of that page (atomically).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

__all__ = ["summary_table", "format_table", "fill_docs", "main"]

START, END = "<!-- induction-table:start -->", "<!-- induction-table:end -->"


def summary_table(result: dict) -> list:
    """Per d: mean (and min/max over seeds) of the final probes, the fitted scales and both deviations."""
    rows = []
    for r in result["runs"].values():
        fp, cp = r["final_probes"], r["comparison"]
        row = {"d": r["d"], "seeds": len(fp), "step": r["step"][-1]}
        for k in ("prev_token", "induction", "copy", "icl"):
            row[k] = float(np.mean([f[k] for f in fp]))
        for k in ("beta2", "beta_O", "gamma"):
            row[k] = float(np.mean([c["scales"][k] for c in cp]))
        for ref in ("theory", "built"):
            v = np.array([c[ref]["deviation"] for c in cp])
            row[f"dev_{ref}"], row[f"dev_{ref}_min"], row[f"dev_{ref}_max"] = float(v.mean()), float(v.min()), float(v.max())
            row[f"corr_{ref}"] = float(np.mean([c[ref]["correlation"] for c in cp]))
        row["in_context_wins"] = float(np.mean([c["in_context_wins"] for c in cp]))
        rows.append(row)
    return rows


def format_table(result: dict) -> str:
    """The summary table and the slopes as Markdown."""
    lines = ["| d | steps | prev-token | induction | copy | ICL acc. | fitted beta2, beta_O, gamma | "
             "deviation from theory (min-max) | from built model (min-max) | corr. theory / built |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["table"]:
        lines.append(f"| {r['d']} | {r['step']} | {r['prev_token']:.3f} | {r['induction']:.3f} | {r['copy']:.3f} | "
                     f"{r['icl']:.3f} | {r['beta2']:.2f}, {r['beta_O']:.2f}, {r['gamma']:.2f} | "
                     f"{r['dev_theory']:.3f} ({r['dev_theory_min']:.3f}-{r['dev_theory_max']:.3f}) | "
                     f"{r['dev_built']:.3f} ({r['dev_built_min']:.3f}-{r['dev_built_max']:.3f}) | "
                     f"{r['corr_theory']:.3f} / {r['corr_built']:.3f} |")
    for ref, s in result.get("slopes", {}).items():
        lines.append("")
        what = {"theory": "the closed form (fitted scales)", "built": "the built memory model"}.get(ref, ref)
        lines.append(f"Slope of log deviation from {what} on log d: {s['slope']:.3f} "
                     f"({s['level']:.0%} interval {s['low']:.3f} to {s['high']:.3f}, {s['n']} runs).")
    return "\n".join(lines)


def fill_docs(page: Union[str, os.PathLike], table: str) -> Path:
    """Replace the text between the markers of ``page`` by ``table``; raise ``ValueError`` without markers."""
    from simulations.core.io import atomic_write_text

    page = Path(page)
    text = page.read_text()
    i, j = text.find(START), text.find(END)
    if i < 0 or j < i:
        raise ValueError(f"{page} has no {START} ... {END} block")
    return atomic_write_text(page, text[:i + len(START)] + "\n" + table + "\n" + text[j:])


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulations.train.induction_table", description=__doc__.split("\n")[0])
    ap.add_argument("results", help="induction.json written by amlab train induction")
    ap.add_argument("--docs", default=None, help="a page with the table markers to fill in")
    args = ap.parse_args(argv)
    result = json.loads(Path(args.results).read_text())
    cfg = result["config"]
    timing = "; ".join(f"d={d}: {r['timing'].get('steps_per_s', float('nan')):.1f} steps/s on {r['timing'].get('device')}"
                       for d, r in result["runs"].items())
    table = (f"{format_table(result)}\n\n({cfg['seeds']} seeds per d, {cfg['steps']} {cfg['optimizer']} steps, "
             f"batch {cfg['batch']}, T = {cfg['T']}; {timing}"
             f"{'; stopped early by the time budget' if result.get('stopped_early') else ''}.)")
    print(table)
    if args.docs:
        fill_docs(args.docs, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
