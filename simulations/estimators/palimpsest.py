"""Simulated quantities of the binary palimpsests (``hopfield.palimpsest``), shared by checks, figures and demos.

Network ``i`` of a batch draws from ``derive_seed(seed, {"palimpsest": tag, "net": i})``,
so results do not depend on how many networks are run or in which order.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from _amlab.params import Param
from hopfield import palimpsest as pal
from simulations.core.seeds import derive_seed
from simulations.estimators import register_estimator

__all__ = ["field_moments", "retrieval_by_age", "window", "retrieved_after"]


def field_moments(N: int, eps: float, ages: Sequence[int], n_net: int, seed: int = 0) -> dict:
    """Aligned-field mean and variance over the ``N`` neurons, by age, in ``n_net`` independent marginalist networks.

    Returns
    -------
    dict
        ``field_mean``, ``field_var`` of shape (n_net, K) float64, ``ages`` (K,), ``lam`` and ``P``
        (patterns written, the same in every network).
    """
    ages = np.asarray(ages, np.int64)
    rs = [pal.simulate(N, ages, eps=eps, retrieve_patterns=False,
                       seed=derive_seed(seed, {"palimpsest": "moments", "N": N, "eps": float(eps), "net": i}))
          for i in range(int(n_net))]
    return {"field_mean": np.array([r.field_mean for r in rs]), "field_var": np.array([r.field_var for r in rs]),
            "ages": ages, "lam": rs[0].lam, "P": rs[0].P}


def retrieval_by_age(N: int, ages: Sequence[int], n_net: int, seed: int = 0, rule: str = "marginalist",
                     eps: float | None = None, A: float | None = None, flip: float = 0.0) -> np.ndarray:
    """Final overlaps (n_net, K) of T = 0 retrieval from each pattern of the given ages (noisy cue if ``flip``)."""
    kw = {"eps": eps} if rule == "marginalist" else {"A": A}
    return np.array([pal.simulate(N, ages, rule, flip=flip, **kw,
                                  seed=derive_seed(seed, {"palimpsest": "retrieval", "rule": rule, "N": N,
                                                          "eps": eps, "A": A, "net": i})).overlaps
                     for i in range(int(n_net))])


def window(N: int, n_net: int, seed: int = 0, rule: str = "marginalist", eps: float | None = None,
           A: float | None = None, m_min: float = 0.9, max_age: int | None = None) -> np.ndarray:
    """Simulated window per network: the number of ages ``0 .. max_age`` retrieved with ``m > m_min``, over N.

    ``max_age`` defaults to ``N / 5``, four times the largest window of the theory (0.05 N).
    """
    ages = np.arange(int(max_age if max_age is not None else N // 5) + 1)
    m = retrieval_by_age(N, ages, n_net, seed, rule, eps, A)
    return (m > m_min).sum(axis=1) / N


def retrieved_after(N: int, P: int, n_net: int, seed: int = 0, eps: float = 0.0, max_age: int | None = None
                    ) -> np.ndarray:
    """Patterns retrieved (T = 0 dynamics from the pattern, ``m > 0.9``) after ``P`` written from ``J = 0``, over N.

    ``eps = 0`` is the Hopfield network (``lam = 1``): every written pattern is read back
    (``max_age`` defaults to ``P - 1``). With forgetting, ``max_age`` defaults to
    ``min(P, N // 5) - 1``, four times the largest window of the theory.

    Returns
    -------
    ndarray of shape (n_net,), float64
    """
    P = int(P)
    if P < 1:
        raise ValueError(f"P must be >= 1, got {P}")
    if max_age is None:
        max_age = P - 1 if eps == 0 else min(P, N // 5) - 1
    ages = np.arange(int(max_age) + 1)
    out = []
    for i in range(int(n_net)):
        r = pal.simulate(N, ages, lam=1.0 - eps / N, burn_in=P - ages.size,
                         seed=derive_seed(seed, {"palimpsest": "after", "N": N, "P": P, "eps": float(eps), "net": i}))
        out.append((r.overlaps > 0.9).sum() / N)
    return np.array(out)


@register_estimator("palimpsest-window", title="retrievable window / N of a palimpsest (T = 0 retrieval, m > 0.9)",
                    params=[Param("N", "int", 400, "neurons", minimum=10),
                            Param("rule", "str", "marginalist", "learning rule", choices=pal.RULES),
                            Param("eps", "float", 8.0, "marginalist forgetting rate, lam = 1 - eps/N", minimum=0,
                                  strict=True),
                            Param("A", "float", 0.5, "bounded rule's bound in units of 1/sqrt(N)", minimum=0,
                                  strict=True),
                            Param("n_net", "int", 4, "independent networks", minimum=2)])
def palimpsest_window(*, seed: int, N: int, rule: str, eps: float, A: float, n_net: int) -> dict:
    """Mean and sd over networks of :func:`window`."""
    w = window(N, n_net, seed, rule, eps=eps if rule == "marginalist" else None, A=A if rule == "bounded" else None)
    return {"alpha_w": float(w.mean()), "sd": float(w.std(ddof=1)), "n_net": int(n_net)}
