"""Training speed of experiment 1 (steps per second of the whole vmapped program) on this machine's JAX device.

Runs :func:`simulations.train.icl.train_icl` for a short while at the given
settings and prints the compile time (first chunk, compile included) and the
steps per second of the following chunks (one step = every seed and variant
updated once). Other users of a shared CPU make the CPU numbers noisy.

Usage::

    PYTHONPATH=. python benchmarks/bench_train.py [--full] [--seeds S] [--steps N] [--eval-every E] [--out DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path


def main(argv=None):
    from simulations.train.icl import FULL, QUICK, train_icl

    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="paper settings (default: quick settings)")
    ap.add_argument("--seeds", type=int, default=None)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--eval-every", type=int, default=None)
    ap.add_argument("--max-seconds", type=float, default=None)
    ap.add_argument("--out", default=None, help="folder for the timing record")
    ap.add_argument("--results", default=None, help="folder for the learning curves (train_icl's files)")
    args = ap.parse_args(argv)
    cfg = FULL if args.full else QUICK
    changes = {k: v for k, v in (("seeds", args.seeds), ("steps", args.steps), ("eval_every", args.eval_every))
               if v is not None}
    cfg = dataclasses.replace(cfg, **changes)
    tic = time.perf_counter()
    res = train_icl(cfg, args.results, max_seconds=args.max_seconds, progress=False)
    import os

    record = {"config": cfg.as_dict(), "timing": res["timing"], "wall_s": time.perf_counter() - tic,
              "cpu_count": os.cpu_count(), "load_average_1min": os.getloadavg()[0],
              "last_step": res["step"][-1], "table": res["table"]}
    print(json.dumps(record, indent=1))
    if args.out:
        from simulations.core.io import atomic_write_json

        from simulations.core.io import provenance

        record["provenance"] = provenance()
        name = f"bench_{res['timing']['device']}_{'full' if args.full else 'quick'}.json"
        atomic_write_json(Path(args.out) / name, record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
