"""Named estimators: simulations that turn parameters and a seed into numbers.

An estimator is a function ``f(*, seed, **params) -> dict`` of plain numbers
(int, float, bool). ``amlab sweep ESTIMATOR`` runs one over a grid of
parameters; the checks call the same functions. Every estimator draws all its
randomness from ``seed`` (through ``numpy.random.SeedSequence`` and the
simulators' own seeds), so equal parameters and seed give equal numbers on any
machine, thread count or backend.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from simulations.params import Param


@dataclass(frozen=True)
class Estimator:
    """A registered estimator (see ``register_estimator``).

    ``params`` declares each parameter (type, range, default, meaning);
    ``one_of`` lists groups of parameters of which at most one may be given
    (``("P", "alpha")``); ``check`` validates combinations of parameters
    (memory, derived sizes) and raises ``ValueError``. An estimator built with
    ``defaults`` alone (no declarations) only has its parameter names checked.
    """

    name: str
    title: str
    func: Callable[..., dict]
    defaults: Dict
    params: Tuple[Param, ...] = ()
    one_of: Tuple[Tuple[str, ...], ...] = ()
    check: Optional[Callable[[dict], None]] = None

    def validate(self, given: dict) -> dict:
        """The given parameters in canonical form (see ``simulations.params``), or ``ValueError``.

        Only the parameters given are returned (defaults are not filled in),
        so the seed key of a point names what was asked for. In a ``one_of``
        group, giving one member drops the others' defaults; giving two is an
        error.
        """
        out = self.coerce(given)
        for group in self.one_of:
            named = [k for k in group if out.get(k) is not None]
            if len(named) > 1:
                raise ValueError(f"give one of {', '.join(group)}, not several "
                                 f"(got {', '.join(f'{k}={out[k]!r}' for k in named)})")
        full = self.resolve(out)
        if self.check is not None:
            self.check(full)
        return out

    def coerce(self, given: dict) -> dict:
        """Each given value in canonical form; unknown names and refused values raise ``ValueError``."""
        if not isinstance(given, dict):
            raise TypeError(f"parameters of estimator {self.name!r} must be a dict, got {type(given).__name__}")
        unknown = sorted(map(str, set(given) - set(self.defaults)))
        if unknown:
            raise ValueError(f"estimator {self.name} takes {', '.join(sorted(self.defaults))}; "
                             f"unknown: {', '.join(unknown)}")
        decl = {p.name: p for p in self.params}
        return {k: (decl[k].coerce(v) if k in decl else v) for k, v in given.items()}

    def resolve(self, given: dict) -> dict:
        """Every parameter: ``given`` over the defaults, ``one_of`` groups settled."""
        full = {**self.defaults, **given}
        for group in self.one_of:
            named = [k for k in group if given.get(k) is not None]
            if named:
                full.update({k: None for k in group if k not in named})
            elif all(full.get(k) is None for k in group):
                raise ValueError(f"give one of {', '.join(group)}")
        return full


ESTIMATORS: Dict[str, Estimator] = {}

#: Former names still accepted (old name -> name), with a deprecation notice on the command line.
ALIASES: Dict[str, str] = {}


def register_estimator(name: str, *, title: str, params: Sequence[Param] = (), defaults: Optional[dict] = None,
                       one_of: Sequence[Sequence[str]] = (), check: Optional[Callable[[dict], None]] = None,
                       aliases: Sequence[str] = ()):
    """Decorator registering ``func(*, seed, **params) -> dict`` under ``name``.

    Parameters
    ----------
    name : str
        Name used by ``amlab sweep``; the name of the check it serves where there is one.
    title : str
        One line saying what it estimates.
    params : sequence of Param
        One declaration per parameter (type, range, default, meaning); it
        drives validation, ``amlab list estimators`` and docs/cli.md.
    defaults : dict, optional
        Undeclared parameters with their defaults (names checked, values not).
    one_of : sequence of tuples of names
        Groups of which at most one may be given (``("P", "alpha")``).
    check : callable, optional
        ``check(full_params)`` raising ``ValueError`` on a bad combination.
    aliases : sequence of str
        Former names that still resolve to this estimator.
    """

    def deco(func):
        if name in ESTIMATORS or name in ALIASES:
            raise ValueError(f"estimator {name!r} is registered twice")
        full = {p.name: p.default for p in params}
        full.update(defaults or {})
        ESTIMATORS[name] = Estimator(name, title, func, full, tuple(params), tuple(tuple(g) for g in one_of), check)
        for old in aliases:
            ALIASES[old] = name
        return func

    return deco


def get_estimator(name: str) -> Estimator:
    """The estimator registered as ``name`` (or under a former name), else ``ValueError``."""
    if not isinstance(name, str):
        raise TypeError(f"estimator must be a registered name (str), got {type(name).__name__}")
    name = ALIASES.get(name, name)
    if name not in ESTIMATORS:
        raise ValueError(f"unknown estimator {name!r}; known: {', '.join(sorted(ESTIMATORS))}")
    return ESTIMATORS[name]


def _plain(name, key, value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"estimator {name!r} returned {key}={value!r} ({type(value).__name__}); expected a plain number")


def evaluate(estimator, params: dict, seed: int) -> dict:
    """Run ``estimator`` (a registered name or a function) at ``params`` with ``seed``.

    A registered estimator's parameters are validated against its
    declarations first (``ValueError`` naming the parameter); the result is
    checked to be a dict of plain numbers (numpy scalars are converted).
    """
    if isinstance(estimator, str):
        est = get_estimator(estimator)
        name, func, full = est.name, est.func, est.resolve(est.validate(params))
    else:
        name, func, full = getattr(estimator, "__name__", "estimator"), estimator, dict(params)
    out = func(seed=int(seed), **full)
    if not isinstance(out, dict):
        raise TypeError(f"estimator {name!r} must return a dict, got {type(out).__name__}")
    return {str(k): _plain(name, k, v) for k, v in out.items()}


def table_rows(estimator: Estimator):
    """``(name, accepted values, default, meaning)`` for each parameter of ``estimator``."""
    decl = {p.name: p for p in estimator.params}
    rows = []
    for k, default in estimator.defaults.items():
        p = decl.get(k)
        if default is None:
            shown = "-"
        elif isinstance(default, bool):
            shown = str(default).lower()
        else:
            shown = str(default)
        rows.append((k, p.describe() if p else "any", shown, p.doc if p else ""))
    return rows


def describe(estimator: Estimator) -> str:
    """A few lines for ``amlab list estimators``: each parameter, its values and default."""
    lines = []
    for k, what, default, doc in table_rows(estimator):
        lines.append(f"      {k:14s} {what:28s} default {default:8s} {doc}")
    for g in estimator.one_of:
        lines.append(f"      (give at most one of {', '.join(g)})")
    return "\n".join(lines)


def markdown_table() -> str:
    """The Markdown table of every estimator's parameters (docs/cli.md holds a copy, checked by a test)."""
    out = []
    for e in ESTIMATORS.values():
        out += [f"### `{e.name}`", "", e.title[:1].upper() + e.title[1:] + ".", ""]
        if e.one_of:
            out += ["Give at most one of " + "; ".join(", ".join(f"`{k}`" for k in g) for g in e.one_of) + ".", ""]
        out += ["| parameter | values | default | meaning |", "|---|---|---|---|"]
        out += [f"| `{k}` | {w} | {d} | {doc} |" for k, w, d, doc in table_rows(e)]
        out.append("")
    return "\n".join(out)


def _streams(seed: int, n: int):
    """``n`` independent generators derived from ``seed`` (network k uses stream k)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(n)]


def _child_seed(rng) -> int:
    return int(rng.integers(0, 2**62))


def _n_patterns(N, P=None, alpha=None, name="P"):
    """``P`` as given, else ``round(alpha * N)`` (at least one pattern, else ``ValueError``)."""
    if P is not None:
        return int(P)
    if alpha is None:
        raise ValueError(f"give {name} or alpha")
    P = int(round(float(alpha) * int(N)))
    if P < 1:
        raise ValueError(f"alpha={alpha!r} with N={N} gives {name} = round(alpha*N) = {P}; expected at least 1 pattern")
    return P


def _memory(nbytes, what):
    from hopfield._validate import check_memory

    check_memory(int(nbytes), what)


def _check_classical(p):
    P = _n_patterns(p["N"], p.get("P"), p.get("alpha"))
    _memory(8 * p["N"] * (p["N"] + P), f"N={p['N']}, P={P} (weights and fields)")


# Declarations shared by several estimators.
_N_CLASSICAL = Param("N", "int", 1000, "neurons", minimum=2)
_P = Param("P", "int", None, "stored patterns", minimum=1, nullable=True)
_ALPHA = Param("alpha", "float", None, "load P/N (P = round(alpha N))", minimum=0, strict=True, nullable=True)
_NETWORKS = Param("networks", "int", 1, "independent networks (fresh patterns each)", minimum=1)
_KEEP_DIAGONAL = Param("keep_diagonal", "bool", False, "keep the Hebbian self-couplings W_ii = P/N")
_MAX_SWEEPS = Param("max_sweeps", "int", 100, "most sweeps of the dynamics", minimum=1)
_F = Param("F", "str", "poly", "interaction function", choices=("poly", "rectified", "exp"))
_N_ORDER = Param("n", "int", 3, "interaction order (F = poly, rectified)", minimum=2, maximum=65)


def _with(p: Param, **changes) -> Param:
    return Param(**{**p.__dict__, **changes})


def _check_dense(p):
    _memory(8 * p["N"] * p["K"], f"N={p['N']}, K={p['K']} (patterns stored as int64)")


# ---------------------------------------------------------------- classical

TIE = 1e-9  # fields are multiples of 1/N; anything below 1e-9 in size is an exact zero


@register_estimator("classical-bit-error", title="one-step bit errors of Hebbian patterns (fields at the pattern)",
                    params=[_N_CLASSICAL, _P, _with(_ALPHA, default=0.1), _NETWORKS, _KEEP_DIAGONAL],
                    one_of=[("P", "alpha")], check=_check_classical)
def classical_bit_error(*, seed, N, P, alpha, networks, keep_diagonal):
    """Errors ``xi_i h_i < 0`` over all bits of all patterns of ``networks`` networks.

    Returns ``errors``, ``ties`` (``h_i = 0``), ``bits`` and per-network rate
    mean and standard deviation (``rate_mean``, ``rate_sd``) for a z-test over
    independent networks.
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    P = _n_patterns(N, P, alpha)
    rates, errors, ties = [], 0, 0
    for rng in _streams(seed, int(networks)):
        xi = random_binary(P, int(N), seed=rng)
        h = ClassicalHopfield(xi, keep_diagonal=bool(keep_diagonal)).fields(xi)  # (P, N)
        s = h * xi
        e = int(np.count_nonzero(s < -TIE))
        errors += e
        ties += int(np.count_nonzero(np.abs(s) <= TIE))
        rates.append(e / (P * int(N)))
    r = np.asarray(rates)
    return {"N": int(N), "P": P, "errors": errors, "ties": ties, "bits": P * int(N) * int(networks),
            "rate_mean": float(r.mean()), "rate_sd": float(r.std(ddof=1)) if r.size > 1 else 0.0}


@register_estimator("classical-fixed-points", title="which stored patterns are fixed points (one network per trial)",
                    params=[_with(_N_CLASSICAL, default=100), _with(_P, default=10), _ALPHA,
                            _with(_NETWORKS, default=100)],
                    one_of=[("P", "alpha")], check=_check_classical, aliases=["classical-fixed-point"])
def classical_fixed_point(*, seed, N, P, alpha, networks):
    """Per network: is pattern 0 a fixed point, are all patterns, how many are.

    A pattern is a fixed point when ``xi_i h_i > 0`` at every bit (a zero
    field counts as unstable).
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    P = _n_patterns(N, P, alpha)
    first = all_ = fixed = 0
    for rng in _streams(seed, int(networks)):
        xi = random_binary(P, int(N), seed=rng)
        stable = np.all(ClassicalHopfield(xi).fields(xi) * xi > TIE, axis=1)  # (P,)
        first += bool(stable[0])
        all_ += bool(stable.all())
        fixed += int(stable.sum())
    return {"N": int(N), "P": P, "networks": int(networks), "first_fixed": first, "all_fixed": all_,
            "patterns_fixed": fixed}


@register_estimator("ags-overlap", title="overlap after asynchronous T=0 dynamics started at a stored pattern",
                    params=[_N_CLASSICAL, _with(_ALPHA, default=0.1), _P, _with(_NETWORKS, default=4),
                            Param("cues", "int", 10, "patterns used as starting states per network (at most P)",
                                  minimum=1),
                            _MAX_SWEEPS,
                            Param("threshold", "float", 0.8, "overlap above which a cue counts as retrieved",
                                  minimum=-1, maximum=1),
                            _KEEP_DIAGONAL],
                    one_of=[("P", "alpha")], check=_check_classical)
def ags_overlap(*, seed, N, alpha, P, networks, cues, max_sweeps, threshold, keep_diagonal=False):
    """Final overlap ``m`` with the starting pattern, ``cues`` patterns per network.

    Returns the per-cue overlaps' mean and standard deviation, how many cues
    were "retrieved" (``m > threshold``), and how many runs converged.
    """
    from hopfield.classical import ClassicalHopfield
    from hopfield.patterns import random_binary

    P = _n_patterns(N, P, alpha)
    c = min(int(cues), P)
    ms, conv = [], 0
    for rng in _streams(seed, int(networks)):
        xi = random_binary(P, int(N), seed=rng)
        res = ClassicalHopfield(xi, keep_diagonal=bool(keep_diagonal)).run(xi[:c], schedule="async", max_sweeps=int(max_sweeps), seed=_child_seed(rng))
        ms.extend(res.overlaps[np.arange(c), np.arange(c)].tolist())
        conv += int(np.count_nonzero(res.converged))
    m = np.asarray(ms)
    ret = m[m > float(threshold)]
    return {"N": int(N), "P": P, "trials": int(m.size), "m_mean": float(m.mean()),
            "m_sd": float(m.std(ddof=1)) if m.size > 1 else 0.0, "retrieved": int(ret.size),
            "m_retrieved_mean": float(ret.mean()) if ret.size else float("nan"),
            "m_retrieved_sd": float(ret.std(ddof=1)) if ret.size > 1 else 0.0, "converged": conv}


# -------------------------------------------------------------------- dense

@register_estimator("dense-bit-error", title="one synchronous step of a dense memory from each stored pattern",
                    params=[Param("N", "int", 100, "neurons", minimum=2),
                            Param("K", "int", 100, "stored patterns", minimum=1), _N_ORDER, _F, _NETWORKS,
                            Param("cues", "int", None, "patterns used as starting states (none: all K)", minimum=1,
                                  nullable=True)],
                    check=_check_dense)
def dense_bit_error(*, seed, N, K, n, F, networks, cues=None):
    """Bits changed by one synchronous update (Krotov & Hopfield 2016, eq. 4) at stored patterns.

    The first ``cues`` patterns of each network (all when ``None``) are the
    starting states; one synchronous step updates every bit from the same
    state, so each bit sees exactly the one-step field of eq. 4.
    """
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import random_binary

    errors, rates = 0, []
    for rng in _streams(seed, int(networks)):
        xi = random_binary(int(K), int(N), seed=rng)
        c = int(K) if cues is None else min(int(cues), int(K))
        res = DenseAssociativeMemory(xi, F=F, n=int(n)).run(xi[:c], schedule="sync", max_sweeps=1,
                                                            seed=_child_seed(rng))
        e = int(np.count_nonzero(res.states != xi[:c]))
        errors += e
        rates.append(e / (c * int(N)))
    r = np.asarray(rates)
    c = int(K) if cues is None else min(int(cues), int(K))
    return {"N": int(N), "K": int(K), "n": int(n), "errors": errors, "bits": c * int(N) * int(networks),
            "rate_mean": float(r.mean()), "rate_sd": float(r.std(ddof=1)) if r.size > 1 else 0.0}


@register_estimator("dense-random-starts", title="random starts of a dense memory that end exactly on a memory",
                    params=[Param("N", "int", 100, "neurons", minimum=2),
                            Param("K", "int", 2000, "stored patterns", minimum=1), _N_ORDER, _F,
                            Param("starts", "int", 100, "uniformly random starting states", minimum=1), _MAX_SWEEPS],
                    check=_check_dense, aliases=["dense-random-start"])
def dense_random_start(*, seed, N, K, n, F, starts, max_sweeps):
    """Asynchronous dynamics from uniformly random states (Krotov & Hopfield 2016, appendix B).

    A start succeeds when its final state equals a stored pattern (or its
    negative, a memory too for even ``n``) exactly.
    """
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import random_binary

    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    xi = random_binary(int(K), int(N), seed=rng)
    cues = random_binary(int(starts), int(N), seed=rng)
    res = DenseAssociativeMemory(xi, F=F, n=int(n)).run(cues, schedule="async", max_sweeps=int(max_sweeps),
                                                         seed=_child_seed(rng))
    hit = np.abs(res.overlaps).max(axis=1) >= 1.0 - 1e-12
    return {"N": int(N), "K": int(K), "n": int(n), "starts": int(starts), "memory": int(np.count_nonzero(hit)),
            "converged": int(np.count_nonzero(res.converged))}


def _check_exp(p):
    if p["M"] is None and float(p["alpha"]) * p["N"] > math.log(2**40):
        raise ValueError(f"alpha={p['alpha']!r} with N={p['N']} gives M = exp(alpha*N) = "
                         f"{math.exp(min(float(p['alpha']) * p['N'], 700)):.3g} patterns; "
                         f"expected alpha*N <= {math.log(2**40):.1f} (M <= 2**40)")
    M = p["M"] if p["M"] is not None else max(2, int(round(math.exp(float(p["alpha"]) * p["N"]))))
    _check_dense({"N": p["N"], "K": M})


@register_estimator("exp-recovery", title="exact recovery from rho-corrupted cues, M = exp(alpha N) patterns",
                    params=[Param("N", "int", 24, "neurons", minimum=2),
                            Param("alpha", "float", 0.1, "M = max(2, round(exp(alpha N)))", minimum=0, strict=True,
                                  nullable=True),
                            Param("M", "int", None, "stored patterns (instead of alpha)", minimum=2, nullable=True),
                            Param("rho", "float", 0.1, "fraction of cue bits flipped", minimum=0, maximum=1),
                            Param("cues", "int", 40, "cues (the first min(cues, M) patterns)", minimum=1),
                            _with(_MAX_SWEEPS, default=50)],
                    one_of=[("alpha", "M")], check=_check_exp)
def exp_recovery(*, seed, N, alpha, M, rho, cues, max_sweeps):
    """Demircigil et al. (2017) exponential memory: does the cue end exactly on its pattern?"""
    from hopfield.dense import DenseAssociativeMemory
    from hopfield.patterns import flip, random_binary

    M = int(M) if M is not None else max(2, int(round(math.exp(float(alpha) * int(N)))))
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    xi = random_binary(M, int(N), seed=rng)
    c = min(int(cues), M)
    target = xi[:c]
    cue = flip(target, fraction=float(rho), seed=rng)
    res = DenseAssociativeMemory(xi, F="exp").run(cue, schedule="async", max_sweeps=int(max_sweeps),
                                                 seed=_child_seed(rng))
    ok = np.all(res.states == target, axis=1)
    return {"N": int(N), "M": M, "cues": c, "recovered": int(np.count_nonzero(ok))}


# ------------------------------------------------------------------- modern

def sphere_patterns(n_patterns: int, d: int, radius: float, rng) -> np.ndarray:
    """``n_patterns`` points uniform on the sphere of ``radius`` in R^d, shape (n_patterns, d), float64."""
    x = rng.standard_normal((int(n_patterns), int(d)))
    return x * (float(radius) / np.linalg.norm(x, axis=1, keepdims=True))


@register_estimator("modern-retrieval-bound",
                    title="one-step retrieval error of a modern Hopfield network vs Theorem 5",
                    params=[Param("d", "int", 32, "pattern dimension", minimum=1),
                            Param("n_patterns", "int", 16, "stored patterns N", minimum=2),
                            Param("beta", "float", 0.5, "inverse temperature", minimum=0, strict=True),
                            Param("radius", "float", 4.0, "norm of every pattern", minimum=0, strict=True),
                            Param("noise", "float", 0.5, "distance of the cue from its pattern", minimum=0),
                            Param("trials", "int", 100, "cues", minimum=1)],
                    aliases=["modern-retrieval"])
def modern_retrieval(*, seed, d, n_patterns, beta, radius, noise, trials):
    """Cue ``x_i + noise * u`` (``u`` a uniform unit vector); error ``||f(xi) - x_i||`` after one update.

    Returns the largest ratio of the error to the Theorem 5 bound (Ramsauer
    et al. 2021) over trials, and the largest and mean error.
    """
    from hopfield.modern import ModernHopfield
    from hopfield.modern import separation
    from theory.modern import retrieval_error_bound

    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    X = sphere_patterns(n_patterns, d, radius, rng)
    net = ModernHopfield(X, float(beta))
    delta = separation(X)
    M = float(np.linalg.norm(X, axis=1).max())
    i = rng.integers(0, int(n_patterns), size=int(trials))
    u = rng.standard_normal((int(trials), int(d)))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    cue = X[i] + float(noise) * u
    err = np.linalg.norm(net.update(cue) - X[i], axis=1)
    bound = np.asarray(retrieval_error_bound().evaluate(N=int(n_patterns), beta=float(beta), Delta=delta[i],
                                                        dist=np.full(int(trials), float(noise)), M=M), dtype=float)
    return {"trials": int(trials), "max_ratio": float(np.max(err / bound)), "max_error": float(err.max()),
            "mean_error": float(err.mean()), "violations": int(np.count_nonzero(err > bound))}
