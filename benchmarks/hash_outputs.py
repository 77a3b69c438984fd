"""Fingerprints of simulator outputs for a fixed set of runs (same seeds, same results).

Every run below is hashed (SHA-256 over the bytes, dtype and shape of each output
array) and the hashes are compared with ``benchmarks/results/output_hashes.json``,
written once from the code before a speed change. A speed change must leave every
hash as it was; a deliberate change of results is stated in the commit that
rewrites the file.

    PYTHONPATH=. python benchmarks/hash_outputs.py            # compare (exit 1 on a difference)
    PYTHONPATH=. python benchmarks/hash_outputs.py --write    # record the current outputs
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from hopfield.amicl import make_sequences, run_amicl, sweep_amicl
from hopfield.classical import ClassicalHopfield
from hopfield.dense import DenseAssociativeMemory
from hopfield.modern import ModernHopfield
from hopfield.patterns import flip, random_binary

OUT = Path(__file__).resolve().parent / "results" / "output_hashes.json"


def digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def result_digest(res) -> str:
    parts = [res.states, res.converged, res.sweeps, res.cycled, res.energies, res.overlaps]
    if res.energy_trace is not None:
        parts.append(res.energy_trace)
    return digest(*parts)


def dense_cases():
    xi = random_binary(60, 48, seed=11)
    cues = flip(xi[np.arange(24) % 60], fraction=0.2, seed=12)
    for F, n in (("poly", 2), ("poly", 3), ("poly", 4), ("poly", 5), ("poly", 9), ("rectified", 3),
                 ("rectified", 6), ("exp", 2)):
        mem = DenseAssociativeMemory(xi, F=F, n=n)
        for schedule, order in (("async", "random"), ("async", "sequential"), ("sync", "random")):
            for record in (False, True):
                res = mem.run(cues, schedule=schedule, order=order, seed=5, max_sweeps=30, record_energy=record)
                yield f"dense/{F}{n}/{schedule}/{order}/record={record}", result_digest(res)
        yield f"dense/{F}{n}/energy", digest(mem.energy(cues))
        if F != "exp":
            res = mem.run(cues, seed=6, max_sweeps=30, record_energy=True, _force_float=True)
            yield f"dense/{F}{n}/float", result_digest(res)
    # a float64-mode memory (int64 could overflow) and one single cue
    big = random_binary(40, 300, seed=13)
    mem = DenseAssociativeMemory(big, F="poly", n=9)
    yield "dense/poly9/N300/" + mem.arithmetic, result_digest(mem.run(flip(big[:6], fraction=0.3, seed=14), seed=3))
    yield "dense/single", result_digest(DenseAssociativeMemory(xi).run(cues[0], seed=9))


def classical_cases():
    xi = random_binary(12, 80, seed=21)
    cues = flip(xi[np.arange(20) % 12], fraction=0.15, seed=22)
    for rule in ("hebbian", "pseudo-inverse", "storkey"):
        for backend in (("patterns", "weights") if rule == "hebbian" else ("weights",)):
            net = ClassicalHopfield(xi, rule=rule, backend=backend)
            for schedule, T in (("async", 0.0), ("sync", 0.0), ("glauber", 0.4)):
                for batch in (cues, cues[:1]):
                    res = net.run(batch, schedule=schedule, T=T, seed=7, max_sweeps=20, record_energy=True)
                    yield f"classical/{rule}/{backend}/{schedule}/B={batch.shape[0]}", result_digest(res)
            yield f"classical/{rule}/{backend}/energy", digest(net.energy(cues), net.fields(cues))
    net = ClassicalHopfield(xi)  # auto: lazy weights
    for B in (1, 4, 20):
        yield f"classical/auto/B={B}", result_digest(net.run(cues[:B], seed=8, order="sequential"))


def modern_cases():
    rng = np.random.default_rng(31)
    X = rng.normal(size=(70, 24))
    q = X[:9] + 0.4 * rng.normal(size=(9, 24))
    for beta in (0.5, 4.0):
        net = ModernHopfield(X, beta)
        yield f"modern/beta={beta}/update", digest(net.update(q))
        yield f"modern/beta={beta}/update1", digest(net.update(q[0]))
        yield f"modern/beta={beta}/retrieve", digest(net.retrieve(q, max_steps=5, tol=1e-9))
        yield f"modern/beta={beta}/energy", digest(net.energy(q))


def amicl_cases():
    s = make_sequences(5, D=8, K=5, T=6, seed=1)
    yield "amicl/sequences", digest(s.tokens, s.classes, s.noise)
    for sim, ro in (("dot", "argmax"), ("pearson", "argmax"), ("euclidean", "softmax"), ("manhattan", "argmax")):
        r = run_amicl(1.5, D=20, K=16, T=10, n_trials=40, similarity=sim, readout=ro, beta=2.0, seed=4,
                      return_scores=True)
        yield f"amicl/{sim}/{ro}", digest(r.correct, r.weight, r.scores)
    sw = sweep_amicl(np.linspace(0, 2, 5), D=[10, 20], T=[6, 10], K=[8], n_trials=50, seed=3, chunk=16)
    yield "amicl/sweep", digest(sw.correct, sw.weight)


def all_hashes() -> dict:
    out = {}
    for gen in (dense_cases, classical_cases, modern_cases, amicl_cases):
        for name, h in gen():
            out[name] = h
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="record the current outputs")
    ap.add_argument("--file", type=Path, default=OUT)
    args = ap.parse_args(argv)
    hashes = all_hashes()
    if args.write:
        args.file.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
        print(f"wrote {len(hashes)} hashes to {args.file}")
        return 0
    ref = json.loads(args.file.read_text())
    bad = sorted(k for k in ref if hashes.get(k) != ref[k]) + sorted(set(hashes) - set(ref))
    for k in bad:
        print(f"DIFFERENT: {k}")
    print(f"{len(ref) - len([k for k in bad if k in ref])}/{len(ref)} outputs identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
