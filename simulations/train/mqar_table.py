"""Experiment 4's summaries without JAX: the learned-key geometry, the ideal memories, the table.

:func:`ideal_memories` computes, for the widths and pair counts of a sweep, the
accuracy of the ideal key-value memories of :mod:`hopfield.mqar` (simulated on
Gaussian embeddings) and the closed forms of the outer-product memory
(:func:`outer_product_closed_form`, from :func:`theory.kv_memory.readout_variance`)
and of the delta rule (:func:`delta_closed_form`, from
:func:`theory.forgetting.gated_delta_mqar_accuracy` at ``a = 1``).

References
----------
S. Arora et al., "Zoology", ICLR 2024, arXiv:2312.04927.
V. Cabannes, E. Dohmatob, A. Bietti, ICLR 2024, arXiv:2310.02984 (the outer-product memory's scores).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

__all__ = ["key_geometry", "outer_product_closed_form", "delta_closed_form", "ideal_memories", "summary_table",
           "format_table"]


def key_geometry(gram: np.ndarray, P: int, d: int) -> dict:
    """Mean ``|cos|`` between distinct learned keys, their RMS cosine and effective rank.

    Parameters
    ----------
    gram : ndarray of shape (n, >= P, >= P)
        Cosines between the layer-2 mixer keys at the pairs' value tokens ``1, 3, ..., 2P - 1``
        (where the short convolution or layer 1 has brought the key token beside its value), for
        ``n`` sequences; the leading ``P x P`` block is used.
    P : int
    d : int
        The key dimension (for the random-key references).

    Returns
    -------
    dict
        ``mean_abs_cos``, ``rms_cos`` (over sequences and distinct pairs), ``effective_rank``
        (``exp`` of the entropy of the normalised singular values of the ``P`` unit keys, mean over
        sequences; ``P`` for orthogonal keys, 1 for parallel ones), and the random-key references
        ``random_rms_cos = 1/sqrt(d)`` and ``random_mean_abs_cos = sqrt(2/(pi d))``.

    Examples
    --------
    >>> g = np.eye(3)[None]  # three orthogonal keys
    >>> r = key_geometry(g, 3, 16)
    >>> r["mean_abs_cos"], round(r["effective_rank"], 6), r["random_rms_cos"]
    (0.0, 3.0, 0.25)
    """
    g = np.asarray(gram, np.float64)[:, :P, :P]
    off = g[:, ~np.eye(P, dtype=bool)]  # (n, P(P-1))
    sv = np.sqrt(np.maximum(np.linalg.eigvalsh(g), 0.0))  # singular values of the unit keys
    pr = sv / sv.sum(axis=1, keepdims=True)
    erank = np.exp(-(pr * np.log(np.maximum(pr, 1e-300))).sum(axis=1))
    return {"mean_abs_cos": float(np.abs(off).mean()) if off.size else 0.0,
            "rms_cos": float(np.sqrt((off ** 2).mean())) if off.size else 0.0,
            "effective_rank": float(erank.mean()), "random_rms_cos": float(1 / np.sqrt(d)),
            "random_mean_abs_cos": float(np.sqrt(2 / (np.pi * d)))}


def outer_product_closed_form(d: int, P: int, n_values: int) -> float:
    """Argmax accuracy of the outer-product memory of ``P`` Gaussian pairs over ``n_values`` value tokens:
    ``int phi(z) Phi((1 + s_s z)/s_o)^(P-1) Phi((1 + s_s z)/s_f)^(n_values-P) dz`` with the exact
    variances of :func:`theory.kv_memory.readout_variance` (independent Gaussian scores)."""
    from scipy import integrate
    from scipy.special import ndtr

    from theory.kv_memory import readout_variance

    s = {k: np.sqrt(float(readout_variance(k).evaluate_continuous(d=d, M=P))) for k in ("stored", "other", "fresh")}
    z = np.linspace(-8, 8, 801)
    x = 1 + s["stored"] * z
    logw = (P - 1) * np.log(np.maximum(ndtr(x / s["other"]), 1e-300)) \
        + (n_values - P) * np.log(np.maximum(ndtr(x / s["fresh"]), 1e-300))
    return float(integrate.trapezoid(np.exp(-z * z / 2) / np.sqrt(2 * np.pi) * np.exp(logw), z))


def delta_closed_form(d: int, P: int, n_values: int, n_pairs_sampled: int = 8) -> float:
    """The closed form of :func:`theory.forgetting.gated_delta_mqar_accuracy` at ``a = 1`` (the delta rule,
    ``b = 1/|k|^2``) for a query right after the pairs (its layout adds one noise write, so ``P + 1``
    writes), averaged over up to ``n_pairs_sampled`` evenly spaced pairs."""
    from theory.forgetting import gated_delta_mqar_accuracy

    js = np.unique(np.linspace(0, P - 1, min(P, n_pairs_sampled)).round().astype(int))
    return float(np.mean(gated_delta_mqar_accuracy(float(d), 1.0, 2 * P, js, P=P, V=n_values)))


def ideal_memories(cfg: Any, widths: Optional[Sequence[int]] = None, *, closed_form: bool = True,
                   memories: Sequence[str] = ("hebbian", "delta", "softmax")) -> dict:
    """Accuracy of the ideal memories of width ``d`` on the config's MQAR law (NumPy, no training).

    Simulated (:func:`hopfield.mqar.evaluate_mqar` on ``n_ideal`` sequences of ``make_mqar``, Gaussian
    embeddings): ``hebbian`` (outer product, state ``d^2``), ``delta`` (one pass of the normalised
    delta rule, ``d^2``), ``softmax`` (keys and values kept, ``2 P d``). Closed forms: outer product
    (:func:`outer_product_closed_form`) and delta (:func:`delta_closed_form`).

    Returns
    -------
    dict
        ``widths``, ``pairs``, and per memory ``simulated`` / ``closed_form`` lists (widths x pairs),
        ``state_size`` (widths x pairs), ``queries`` per point.
    """
    from hopfield.mqar import evaluate_mqar, make_mqar

    widths = tuple(cfg.widths if widths is None else widths)
    out = {"widths": list(widths), "pairs": list(cfg.pairs), "queries": None, "memories": {}}
    nv = cfg.vocab_size - cfg.vocab_size // 2
    for mem in memories:
        sim, cf, ss = [], [], []
        for i, d in enumerate(widths):
            row, crow, srow = [], [], []
            for j, P in enumerate(cfg.pairs):
                b = make_mqar(cfg.n_ideal, vocab_size=cfg.vocab_size, num_pairs=P, seq_len=cfg.seq_len,
                              power_a=cfg.power_a, seed=int(np.random.SeedSequence([cfg.seed, 7, P]).generate_state(1)[0]))
                r = evaluate_mqar(b, mem, d, seed=int(np.random.SeedSequence([cfg.seed, 8, d]).generate_state(1)[0]))
                row.append(r.accuracy)
                srow.append(int(r.state_size))
                out["queries"] = int(r.correct.size)
                if closed_form and mem == "hebbian":
                    crow.append(outer_product_closed_form(d, P, nv))
                elif closed_form and mem == "delta" and d > 2:
                    crow.append(delta_closed_form(d, P, nv))
                else:
                    crow.append(None)
            sim.append(row)
            cf.append(crow)
            ss.append(srow)
        out["memories"][mem] = {"simulated": sim, "closed_form": cf, "state_size": ss}
    return out


def summary_table(record: dict) -> list:
    """Rows (mixer, width, pairs): mean accuracy over seeds and its range, state size, the ideal memories."""
    cfg = record["config"]
    ideal = record.get("ideal")
    rows = []
    for r in record["programs"].values():
        for k, P in enumerate(cfg["pairs"]):
            row = {"mixer": r["mixer"], "d": r["d"], "pairs": P, "status": r["status"]}
            if r["status"] != "skipped":
                acc = np.array([a[k] for a in r["accuracy"]], float)
                row.update(accuracy=float(acc.mean()), low=float(acc.min()), high=float(acc.max()),
                           state_size=r["state_size"],
                           mean_abs_cos=float(np.mean([g[k]["mean_abs_cos"] for g in r["geometry"]])),
                           random_mean_abs_cos=r["geometry"][0][k]["random_mean_abs_cos"])
            if ideal is not None and r["d"] in ideal["widths"]:
                i = ideal["widths"].index(r["d"])
                for mem, v in ideal["memories"].items():
                    row[f"ideal_{mem}"] = v["simulated"][i][k]
                    row[f"ideal_{mem}_closed_form"] = v["closed_form"][i][k]
            rows.append(row)
    return rows


def format_table(record: dict) -> str:
    """The summary table as Markdown."""
    lines = ["| mixer | d | pairs | accuracy (seed range) | state | mean abs cos (random) | outer product | delta "
             "| softmax |", "|---|---|---|---|---|---|---|---|---|"]

    def f(x):
        return "-" if x is None else f"{x:.2f}"

    for r in record["table"]:
        if r["status"] == "skipped":
            acc, state, cos = "not run", "-", "-"
        else:
            acc = f"{r['accuracy']:.2f} ({r['low']:.2f}-{r['high']:.2f})" + (" stopped" if r["status"] != "done" else "")
            state, cos = str(r["state_size"]), f"{r['mean_abs_cos']:.2f} ({r['random_mean_abs_cos']:.2f})"
        ideal = [f"{f(r.get(f'ideal_{m}'))}" + (f" / {f(r.get(f'ideal_{m}_closed_form'))}" if m != "softmax" else "")
                 for m in ("hebbian", "delta", "softmax")] if "ideal_hebbian" in r else ["-"] * 3
        lines.append(f"| {r['mixer']} | {r['d']} | {r['pairs']} | {acc} | {state} | {cos} | " + " | ".join(ideal) + " |")
    return "\n".join(lines)
