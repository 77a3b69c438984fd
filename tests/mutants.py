"""A catalogue of deliberate bugs (mutants) that the checks must catch.

Each mutant is a context manager that swaps one formula of ``theory`` or one
piece of a simulator for a wrong version, by monkeypatching a module
attribute; nothing in the library's files changes, and leaving the context
restores everything. Two kinds:

* formula mutants replace a ``theory`` function by one with a plausible
  slip (a missing finite-N correction, a wrong constant, a wrong power);
* simulator mutants replace the Python entry point of a simulator, or the
  Numba kernel its wrapper calls, with a copy carrying a bug.

``MUTANTS[name].targets`` lists the checks that must fail under the mutant
at full size, ``quick_targets`` those that must fail at quick size: each one
a kill measured at seeds 0 and 1 of the kill matrix at that size
(``benchmarks/results/kill_matrix_*.json``), never one assumed from the other
size (a mutant killed at quick size but not yet run at full size has no full
target).
``tests/test_mutants.py`` asserts both; ``benchmarks/kill_matrix.py`` runs the
whole matrix (mutant x check of its family, quick and/or full, several seeds)
and writes it as JSON and as the Markdown table of ``docs/checks.md``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable, Tuple

import numpy as np
from numba import njit
from scipy import special, stats


@dataclass(frozen=True)
class Mutant:
    """One named bug: how to apply it and which checks it must fail."""

    name: str
    kind: str  # "formula" or "simulator"
    description: str
    apply: Callable[[], contextlib.AbstractContextManager]
    family: Tuple[str, ...]  # the checks that read what the mutant touches (the matrix's row)
    targets: Tuple[str, ...]  # must fail at full size (measured there)
    quick_targets: Tuple[str, ...] = ()  # must fail at quick size (measured there)
    note: str = ""


class _Patch:
    """``setattr`` that is undone on leaving the context (the catalogue runs outside pytest too)."""

    def __init__(self):
        self._undo = []

    def setattr(self, obj, name, value):
        self._undo.append((obj, name, getattr(obj, name)))
        setattr(obj, name, value)

    @classmethod
    @contextlib.contextmanager
    def context(cls):
        mp = cls()
        try:
            yield mp
        finally:
            for obj, name, old in reversed(mp._undo):
                setattr(obj, name, old)


class _Fixed:
    """A stand-in for a ``theory.Formula``: ``evaluate(**values)`` calls ``func``."""

    def __init__(self, func):
        self.func = func

    def evaluate(self, **values):
        return self.func(**values)


MUTANTS = {}


def mutant(name, kind, description, family, targets, quick_targets=(), note=""):
    def deco(func):
        MUTANTS[name] = Mutant(name, kind, description, contextlib.contextmanager(func), tuple(family),
                               tuple(targets), tuple(quick_targets), note)
        return func

    return deco


CLASSICAL = ("classical-bit-error", "classical-fixed-points")
AGS = ("ags-overlap", "ags-critical")
DENSE = ("dense-bit-error", "dense-exact-one-step", "dense-random-starts", "dense-capacity", "dense-basin")
EXP = ("exp-recovery",)
MODERN = ("modern-retrieval-bound", "modern-fixed-points")
AMICL = ("amicl-vs-a", "amicl-switch", "amicl-below-switch", "amicl-vs-D")


# ------------------------------------------------------------------ formula mutants

@mutant("classical-no-finite-N", "formula",
        "classical P_err = Phi(-sqrt(N/P)) for Phi(-sqrt((N-1)/(P-1))) (finite-N correction dropped)",
        CLASSICAL, targets=("classical-bit-error",), quick_targets=("classical-bit-error",))
def _classical_no_finite_n():
    import sympy as sp

    import theory.classical as tc
    from theory.formula import Formula, Phi, sym

    real = tc.bit_error
    N, P = sym("N"), sym("P")
    wrong = Formula(name="classical.bit_error (mutant)", expr=Phi(-sp.sqrt(N / P)), symbols=(N, P), source="mutant",
                    assumptions="", definition="")

    def bit_error(keep_diagonal=False):
        return real(True) if keep_diagonal else wrong

    cached = (tc.p_pattern_fixed, tc.p_all_fixed, tc.alpha_at_error)  # built from bit_error().expr
    for f in cached:
        f.cache_clear()
    try:
        with _Patch.context() as mp:
            mp.setattr(tc, "bit_error", bit_error)
            yield
    finally:
        for f in cached:
            f.cache_clear()


@mutant("classical-fixed-independent", "formula",
        "P(pattern fixed) from the independent-bit product (1 - P_err)^N in place of the overlap-conditional "
        "prediction E_M[(1 - p(M))^N]",
        CLASSICAL, targets=("classical-fixed-points",), quick_targets=("classical-fixed-points",))
def _classical_fixed_independent():
    import theory.classical as tc

    def independent(N, P, which="given", samples=0, seed=0):
        q = 1.0 - float(tc.bit_error().evaluate(N=N, P=P))
        return (q ** N if which == "given" else q ** (N * P)), 0.0

    with _Patch.context() as mp:
        mp.setattr(tc, "p_fixed_overlap_conditional", independent)
        yield


@mutant("dense-snr-asymptotic", "formula",
        "dense P_err = Phi(-sqrt(N^(n-1) / ((2n-3)!! K))) (the asymptotic SNR, finite-N correction dropped)",
        DENSE, targets=("dense-bit-error",), quick_targets=("dense-bit-error",))
def _dense_snr_asymptotic():
    import theory.dense as td

    real = td.bit_error

    def bit_error(n, F="poly"):
        if F != "poly":
            return real(n, F)
        df = float(special.factorial2(2 * n - 3))
        return _Fixed(lambda N, K: stats.norm.cdf(-np.sqrt(np.asarray(N, float) ** (n - 1) / (df * np.asarray(K, float)))))

    with _Patch.context() as mp:
        mp.setattr(td, "bit_error", bit_error)
        yield


@mutant("exp-bound-doubled", "formula", "Demircigil bound I(1-2rho) in place of I(1-2rho)/2 (doubled)",
        EXP, targets=(), quick_targets=())  # survives: indistinguishable at N <= 80 (docs/checks.md)
def _exp_bound_doubled():
    import theory.exponential as te

    real = te.demircigil_alpha()
    with _Patch.context() as mp:
        mp.setattr(te, "demircigil_alpha", lambda: _Fixed(lambda rho: 2.0 * real.evaluate(rho=rho)))
        yield


def _alpha_c_mutant(value):
    def apply():
        import theory.ags as ags

        real = ags.critical

        def critical():
            return {**real(), "alpha_c": value}

        with _Patch.context() as mp:
            mp.setattr(ags, "critical", critical)
            yield

    return apply


for _v in (0.125, 0.145, 0.15):
    # 0.125 also cuts the RS overlap branch short (retrieval_overlap reads alpha_c), which ags-overlap sees;
    # 0.145 lies inside the spread of the finite-size ansaetze of ags-critical at N <= 5000 (docs/checks.md)
    mutant(f"ags-alpha-c-{_v}", "formula", f"alpha_c = {_v} in place of the RS 0.1379", AGS,
           targets={0.125: ("ags-critical", "ags-overlap"), 0.145: (), 0.15: ("ags-critical",)}[_v],
           quick_targets=("ags-overlap",) if _v == 0.125 else (),
           note="indistinguishable at N <= 5000: inside the spread of the finite-size extrapolations"
           if _v == 0.145 else "")(
        _alpha_c_mutant(_v))


@mutant("ags-one-step-overlap", "formula",
        "the first-parallel-step overlap erf(1/sqrt(2 alpha)) in place of the RS retrieval overlap",
        AGS, targets=("ags-overlap",), quick_targets=("ags-overlap",))
def _ags_one_step():
    import theory.ags as ags

    def one_step(alpha):
        a = np.asarray(alpha, float)
        out = special.erf(1.0 / np.sqrt(2.0 * a))
        return float(out) if out.ndim == 0 else out

    with _Patch.context() as mp:
        mp.setattr(ags, "retrieval_overlap", one_step)
        yield


@mutant("modern-radius-tenth", "formula", "fixed-point radius 1/(10 beta N M) (a tenth of the theorem's)",
        MODERN, targets=("modern-fixed-points",), quick_targets=("modern-fixed-points",))
def _modern_radius_tenth():
    import theory.modern as tm

    with _Patch.context() as mp:
        mp.setattr(tm, "fixed_point_radius", lambda: _Fixed(lambda beta, N, M: 1.0 / (10.0 * beta * N * M)))
        yield


@mutant("modern-radius-M2", "formula", "fixed-point radius 1/(beta N M^2) for 1/(beta N M)",
        MODERN, targets=("modern-fixed-points",), quick_targets=("modern-fixed-points",))
def _modern_radius_m2():
    import theory.modern as tm

    with _Patch.context() as mp:
        mp.setattr(tm, "fixed_point_radius", lambda: _Fixed(lambda beta, N, M: 1.0 / (beta * N * M**2)))
        yield


@mutant("modern-thm5-no-2M", "formula",
        "Theorem 5 with exp(-beta (Delta - dist)) for exp(-beta (Delta - 2 dist M)) (its 2M dropped)",
        MODERN, targets=("modern-retrieval-bound",), quick_targets=("modern-retrieval-bound",))
def _modern_thm5():
    import theory.modern as tm

    def bound(N, beta, Delta, dist, M):
        return 2.0 * (N - 1) * np.exp(-beta * (np.asarray(Delta) - np.asarray(dist))) * M

    with _Patch.context() as mp:
        mp.setattr(tm, "retrieval_error_bound", lambda: _Fixed(bound))
        yield


@mutant("amicl-eps-0.13", "formula", "AMICL exact accuracy evaluated at eps = 0.13 for the simulated 0.1",
        AMICL, targets=("amicl-switch",), quick_targets=("amicl-switch",))
def _amicl_eps():
    import theory.amicl as th

    real = th.accuracy_exact

    def wrong(a_values, D_value, T_value=20, eps_value=0.1, settings=th.ExactSettings()):
        return real(a_values, D_value, T_value, 0.13, settings)

    with _Patch.context() as mp:
        mp.setattr(th, "accuracy_exact", wrong)
        yield


# ---------------------------------------------------------------- simulator mutants

@mutant("classical-keep-diagonal", "simulator",
        "the classical network keeps its self-couplings w_ii = P/N whatever it is asked",
        CLASSICAL + AGS + ("basins-two-step", "ags-glauber", "mixture-stability", "pseudo-inverse"),
        targets=("classical-bit-error", "classical-fixed-points", "ags-overlap", "ags-critical"),
        quick_targets=("classical-bit-error", "classical-fixed-points", "ags-overlap", "ags-critical",
                       "basins-two-step", "ags-glauber", "pseudo-inverse"))
def _classical_keep_diagonal():
    from hopfield.classical import ClassicalHopfield

    real = ClassicalHopfield.__init__

    def init(self, patterns, rule="hebbian", keep_diagonal=False, backend="auto"):
        real(self, patterns, rule=rule, keep_diagonal=True, backend=backend)

    with _Patch.context() as mp:
        mp.setattr(ClassicalHopfield, "__init__", init)
        yield


@njit(cache=True)
def _d_self(x, n, rect):
    """F(x + 1) - F(x - 1) for F(x) = x^n or max(x, 0)^n, int64."""
    up = x + 1
    dn = x - 1
    fu = np.int64(1)
    fd = np.int64(1)
    for _ in range(n):
        fu *= up
        fd *= dn
    if rect:
        if up <= 0:
            fu = 0
        if dn <= 0:
            fd = 0
    return fu - fd


@njit(cache=True)
def _dense_kernel_self_term(xiT, rowsum, cues, trial_rng, mode, c, n_even, rect, n, sync, sequential,
                            max_sweeps, record, out_states, out_a, out_converged, out_sweeps, out_cycled,
                            out_energy, out_trace):
    """The dense kernel with the self term kept: ``h_i = sum_mu xi_i^mu D(xi^mu . s)`` (j = i included)."""
    N, K = xiT.shape
    B = cues.shape[0]
    for b in range(B):  # serial: a mutant needs no speed, and compiles faster
        s = out_states[b]
        for j in range(N):
            s[j] = cues[b, j]
        a = out_a[b]
        for mu in range(K):
            t = np.int64(0)
            for j in range(N):
                t += xiT[j, mu] * s[j]
            a[mu] = t
        st = np.empty(1, np.uint64)
        st[0] = trial_rng[b]
        perm = np.arange(N)
        new = np.empty(N, np.int8)
        converged = False
        sweeps = 0
        for sweep in range(max_sweeps):
            sweeps = sweep + 1
            if not sync and not sequential:
                _shuffle(perm, st)
            changed = 0
            for k in range(N):
                i = perm[k] if not sync else k
                h = np.int64(0)
                for mu in range(K):
                    h += xiT[i, mu] * _d_self(a[mu], n, rect)
                sg = np.int8(1) if h > 0 else (np.int8(-1) if h < 0 else s[i])
                if sync:
                    new[i] = sg
                elif sg != s[i]:
                    for mu in range(K):
                        a[mu] += 2 * xiT[i, mu] * sg
                    s[i] = sg
                    changed += 1
            if sync:
                for i in range(N):
                    if new[i] != s[i]:
                        for mu in range(K):
                            a[mu] += 2 * xiT[i, mu] * new[i]
                        s[i] = new[i]
                        changed += 1
            if changed == 0:
                converged = True
                break
        out_converged[b] = converged
        out_cycled[b] = False
        out_sweeps[b] = sweeps
        e = 0.0
        for mu in range(K):
            v = float(a[mu])
            if rect and v < 0:
                v = 0.0
            e -= v**n
        out_energy[b] = e


from hopfield.kernels.rng import shuffle_inplace as _shuffle  # noqa: E402  (the kernels' own shuffle)


@mutant("dense-self-term", "simulator",
        "the dense kernel keeps the self term: h_i = sum_mu xi_i^mu D(xi^mu . s) with j = i in the overlap",
        DENSE, targets=("dense-exact-one-step",),
        quick_targets=("dense-exact-one-step", "dense-bit-error", "dense-basin"))
def _dense_self_term():
    import hopfield.kernels.dense as kd

    real = kd.run_dense_kernel

    def kernel(xiT, rowsum, cues, trial_rng, mode, *rest):
        if mode == kd.MODE_EXP:
            return real(xiT, rowsum, cues, trial_rng, mode, *rest)
        return _dense_kernel_self_term(xiT, rowsum, cues, trial_rng, mode, *rest)

    with _Patch.context() as mp:
        mp.setattr(kd, "run_dense_kernel", kernel)
        yield


@mutant("modern-beta-half", "simulator", "the modern Hopfield update uses softmax(beta/2 X xi) for softmax(beta X xi)",
        MODERN, targets=("modern-retrieval-bound", "modern-fixed-points"),
        quick_targets=("modern-retrieval-bound", "modern-fixed-points"))
def _modern_beta_half():
    from hopfield.modern import ModernHopfield

    real = ModernHopfield.__init__

    def init(self, X, beta):
        real(self, X, beta)
        self.beta = self.beta / 2.0

    with _Patch.context() as mp:
        mp.setattr(ModernHopfield, "__init__", init)
        yield


@mutant("amicl-sim-eps-0.13", "simulator", "the AMICL simulator draws exemplars with eps = 0.13 (theory: 0.1)",
        AMICL, targets=("amicl-switch",), quick_targets=("amicl-switch",))
def _amicl_sim_eps():
    from simulations.checks.suite import amicl as ca

    real = ca.sweep_amicl

    def sweep(*args, **kw):
        return real(*args, **{**kw, "eps": 0.13})

    with _Patch.context() as mp:
        mp.setattr(ca, "sweep_amicl", sweep)
        yield


# ------------------------------------------------------------------------ the matrix

def matrix_rows(size: str, names=None):
    """The (mutant, check) pairs of the matrix at ``size``; mutant ``None`` is the unmutated baseline."""
    import simulations.checks.suite  # noqa: F401  (registers the checks)
    from simulations.checks.registry import CHECKS

    rows = [(None, c) for c in CHECKS]
    rows += [(name, c) for name, m in MUTANTS.items() for c in m.family if c in CHECKS]
    return [r for r in rows if not names or r[0] in names or (r[0] is None and "none" in names)]


def uncovered(checks, mutants=None):
    """The checks of ``checks`` that no mutant's family includes (the catalogue must leave none)."""
    fam = {c for m in (MUTANTS if mutants is None else mutants).values() for c in m.family}
    return sorted(set(checks) - fam)


def run_row(mutant_name, check, size: str, seed: int = 0) -> dict:
    """Run one check at ``size`` under one mutant (``None``: none) and say whether it failed."""
    import time

    import simulations.checks.suite  # noqa: F401
    from simulations.checks.registry import CHECKS, run_check

    m = MUTANTS.get(mutant_name)
    t0 = time.perf_counter()
    try:
        with (m.apply() if m else contextlib.nullcontext()):
            res = run_check(CHECKS[check], size, seed=seed)
        verdict = "pass" if res.passed else "FAIL"
        failed = [p.label for p in res.points if not p.ok]
    except Exception as exc:  # a crash under a mutant is recorded, not hidden
        verdict, failed = f"error: {type(exc).__name__}: {exc}", []
    expected = None if m is None else check in (m.targets if size == "full" else m.quick_targets)
    return {"mutant": mutant_name or "none", "kind": m.kind if m else "", "check": check, "size": size,
            "seed": seed, "verdict": verdict, "expected_fail": expected, "failed_points": failed[:4],
            "seconds": round(time.perf_counter() - t0, 2)}


# ------------------------------------------- typical-pattern capacity of the exponential memory

REM = ("exp-rem-threshold",)


def _rem_alpha_1(func):
    """Replace ``theory.rem.alpha_1`` by a stand-in evaluating ``func(beta, rho)``."""
    import theory.rem as rem

    with _Patch.context() as mp:
        mp.setattr(rem, "alpha_1", lambda: _Fixed(func))
        yield


@mutant("rem-alpha1-demircigil", "formula",
        "typical-pattern threshold alpha_1 = I(1-2rho)/2 (Demircigil's all-pattern bound) for I(1-2rho)",
        REM, targets=REM, quick_targets=REM)
def _rem_alpha1_demircigil():
    import theory.exponential as te

    yield from _rem_alpha_1(lambda beta, rho: te.demircigil_alpha().evaluate(rho=rho))


@mutant("rem-no-condensation", "formula",
        "alpha_1 = 2 beta (1-2rho) - ln cosh 2 beta at every rho (the condensed branch I(1-2rho) dropped)",
        REM, targets=REM, quick_targets=REM)
def _rem_no_condensation():
    yield from _rem_alpha_1(lambda beta, rho: 2 * beta * (1 - 2 * rho) - np.log(np.cosh(2 * beta)))


@mutant("rem-ties-recovered", "formula",
        "finite-N recovery (1 - B)^(M-1) with B = P(agreements > N - rho N) (ties with a competitor recovered, "
        "no race)", REM, targets=REM, quick_targets=REM)
def _rem_ties_recovered():
    import theory.rem as rem

    def race_recovery_probability(N, M, rho, samples=10_000, seed=0, depth=2):
        k = round(float(rho) * N)
        return float((1.0 - stats.binom.sf(N - k, N, 0.5)) ** (M - 1)), 0.0

    with _Patch.context() as mp:
        mp.setattr(rem, "race_recovery_probability", race_recovery_probability)
        yield


# ----------------------------------------------------------------- capacity of Storkey's rule

STORKEY = ("storkey-capacity",)


@mutant("storkey-capacity-no-2", "formula", "Storkey capacity N/sqrt(ln N) for N/sqrt(2 ln N)",
        STORKEY, targets=STORKEY, quick_targets=STORKEY)
def _storkey_capacity_no_2():
    from simulations.checks.suite import storkey as cs

    with _Patch.context() as mp:
        mp.setattr(cs, "capacity_formula", lambda N: float(N) / np.sqrt(np.log(float(N))))
        yield


@njit(cache=True)
def _storkey_learn_no_hji(x, W):
    """The Storkey kernel with the x_i h_ji term dropped (a slip in the rule)."""
    P, N = x.shape
    g = np.empty(N)
    d = np.empty(N)
    for mu in range(P):
        xm = x[mu]
        for i in range(N):
            acc = 0.0
            for k in range(N):
                acc += W[i, k] * xm[k]
            g[i] = acc
            d[i] = W[i, i]
        for i in range(N):
            for j in range(N):
                if i != j:
                    W[i, j] += (xm[i] * xm[j] - (g[i] - d[i] * xm[i] - W[i, j] * xm[j]) * xm[j]) / N
    return W


@mutant("storkey-kernel-no-hji", "simulator",
        "the Storkey kernel drops the -x_i h_ji term (w_ij += (x_i x_j - h_ij x_j)/N)",
        STORKEY, targets=STORKEY, quick_targets=STORKEY)
def _storkey_kernel_no_hji():
    import simulations.estimators.storkey as sk

    with _Patch.context() as mp:
        mp.setattr(sk, "storkey_learn", _storkey_learn_no_hji)
        yield


@mutant("storkey-hebbian", "simulator", "the Storkey measurement learns with the Hebbian increment x x^T / N",
        STORKEY, targets=STORKEY, quick_targets=STORKEY)
def _storkey_hebbian():
    import simulations.estimators.storkey as sk

    def hebbian_learn(x, W):
        W += x.T @ x / W.shape[0]
        return W

    with _Patch.context() as mp:
        mp.setattr(sk, "storkey_learn", hebbian_learn)
        yield


# ------------------------------------------------------------------ the spin-glass line

SPIN_GLASS = ("ags-spin-glass",)


def _spin_glass_line(func):
    import theory.finite_t as ft

    with _Patch.context() as mp:
        mp.setattr(ft, "spin_glass_line", lambda: _Fixed(lambda alpha: func(np.asarray(alpha, float))))
        yield


@mutant("tg-one-plus-alpha", "formula", "spin-glass line T_g = 1 + alpha for 1 + sqrt(alpha)",
        SPIN_GLASS, targets=SPIN_GLASS, quick_targets=SPIN_GLASS)
def _tg_one_plus_alpha():
    yield from _spin_glass_line(lambda a: 1.0 + a)


@mutant("tg-two-sqrt", "formula", "spin-glass line T_g = 1 + 2 sqrt(alpha) for 1 + sqrt(alpha)",
        SPIN_GLASS, targets=SPIN_GLASS, quick_targets=SPIN_GLASS)
def _tg_two_sqrt():
    yield from _spin_glass_line(lambda a: 1.0 + 2.0 * np.sqrt(a))


# ------------------------------------------- RS retrieval overlap of the dense memory at P = alpha N^(n-1)

import math  # noqa: E402  (only the dense-replica mutants below use it)

DENSE_REPLICA = ("dense-replica",)


def _dense_replica_overlap(func):
    """Replace ``theory.dense_replica.retrieval_overlap`` by ``func(alpha, n)`` (reaction_excess follows it)."""
    import theory.dense_replica as tr

    def overlap(alpha, n):
        a = np.asarray(alpha, dtype=float)
        out = np.vectorize(lambda x: func(float(x), int(n)))(a)
        return out if out.ndim else float(out)

    with _Patch.context() as mp:
        mp.setattr(tr, "retrieval_overlap", overlap)
        yield


def _iterate_fixed_point(step, iters=4000):
    m = 1.0
    for _ in range(iters):
        m = step(m)
    return m if m > 0.3 else float("nan")


@mutant("dense-replica-ags-reaction", "formula",
        "dense RS overlap with AGS's noise amplification kept for n = 3: m = erf(m^2/sqrt(2 alpha c r)), "
        "r = 1/(1-C)^2", DENSE_REPLICA, targets=DENSE_REPLICA, quick_targets=DENSE_REPLICA)
def _dense_replica_ags():
    def func(alpha, n):
        c = math.prod(range(2 * n - 3, 0, -2))
        st = {"r": 1.0}

        def step(m):
            s = math.sqrt(alpha * c * st["r"])
            m = float(special.erf(m ** (n - 1) / (math.sqrt(2) * s)))
            C = math.sqrt(2 / math.pi) / s * math.exp(-m ** (2 * n - 2) / (2 * s * s))
            st["r"] = 1 / (1 - C) ** 2 if C < 1 else 1e12
            return m

        return _iterate_fixed_point(step)

    yield from _dense_replica_overlap(func)


@mutant("dense-replica-cn-factorial", "formula",
        "dense RS overlap with the crosstalk variance (n-1)! (distinct-index couplings) for (2n-3)!!: 2 for 3 at n = 3",
        DENSE_REPLICA, targets=DENSE_REPLICA, quick_targets=DENSE_REPLICA)
def _dense_replica_cn():
    def func(alpha, n):
        c = math.factorial(n - 1)
        return _iterate_fixed_point(lambda m: float(special.erf(m ** (n - 1) / math.sqrt(2 * alpha * c))))

    yield from _dense_replica_overlap(func)


@mutant("dense-replica-rectified", "simulator",
        "DenseAssociativeMemory(F='poly') runs the rectified kernel (F = max(x, 0)^n): a dispatch slip",
        DENSE_REPLICA, targets=DENSE_REPLICA, quick_targets=DENSE_REPLICA)
def _dense_replica_rectified():
    from hopfield.dense import DenseAssociativeMemory

    real = DenseAssociativeMemory.__init__

    def init(self, patterns, F="poly", n=3):
        real(self, patterns, F=F, n=n)
        self._rect = True

    with _Patch.context() as mp:
        mp.setattr(DenseAssociativeMemory, "__init__", init)
        yield


# ------------------------------------------------------------------ sparse patterns: RS capacity

SPARSE_CAP = ("sparse-capacity",)


@mutant("sparse-rs-no-reaction", "formula",
        "RS capacity of the 0/1 covariance rule without the reaction term (noise sqrt(alpha q), no threshold "
        "shift): alpha_c(0.1, 0.45) = 0.82 for 0.355", SPARSE_CAP, targets=SPARSE_CAP, quick_targets=SPARSE_CAP)
def _sparse_rs_no_reaction():
    import theory.sparse_rs as srs

    right = srs.critical_alpha
    with _Patch.context() as mp:
        mp.setattr(srs, "critical_alpha", lambda a, theta, lo=0, reaction=True: right(a, theta, lo, False))
        yield


def _sparse_run_one_sided(xi, a, theta, max_steps, keep_diagonal=False):
    """``retrieval_run`` with the bug: the mean a subtracted on the left side only, W_ij ~ (xi_i - a) xi_j."""
    from simulations.estimators.sparse_capacity import KEPT, LOST_ACTIVITY

    P, N = xi.shape
    X = (xi - a).astype(np.float32)
    R = xi.astype(np.float32)  # bug: the right-hand factor is not centred
    c = 1.0 / (N * a * (1.0 - a))
    diag = (X * R).sum(axis=0) * np.float32(c)
    V = xi[0].astype(np.float32)
    prev, lost, t = None, False, 0
    for t in range(1, int(max_steps) + 1):
        V2 = (((R @ V) @ X) * np.float32(c) - diag * V > theta).astype(np.float32)
        if np.array_equal(V2, V) or (prev is not None and np.array_equal(V2, prev)):
            V = V2
            break
        prev, V = V, V2
        if float(X[0] @ V) * c < KEPT or V.mean() > LOST_ACTIVITY * a:
            lost = True
            break
    return float(X[0] @ V) * c, float(V.mean()), t, lost


@mutant("sparse-one-sided-mean", "simulator",
        "covariance rule with the coding level subtracted on one side only, W_ij = sum (xi_i - a) xi_j / (N a (1-a))",
        SPARSE_CAP, targets=SPARSE_CAP, quick_targets=SPARSE_CAP)
def _sparse_one_sided():
    import simulations.estimators.sparse_capacity as sc

    with _Patch.context() as mp:
        mp.setattr(sc, "retrieval_run", _sparse_run_one_sided)
        yield


@mutant("sparse-keep-diagonal", "simulator",
        "the sparse-capacity dynamics keep the self-couplings W_ii = sum (xi_i - a)^2 / (N a (1-a))",
        SPARSE_CAP, targets=(), quick_targets=(),
        note="not caught (quick, seed 0: kept 24/24, 0/24, 24/24, 3/24 as unmutated): W_ii ~ alpha only "
             "holds active bits on, and at these thresholds retrieval is lost by inactive bits turning on")
def _sparse_keep_diagonal():
    import simulations.estimators.sparse_capacity as sc

    right = sc.retrieval_run
    with _Patch.context() as mp:
        mp.setattr(sc, "retrieval_run", lambda xi, a, theta, max_steps, keep_diagonal=False:
                   right(xi, a, theta, max_steps, True))
        yield


# ------------------------------------------- dense kernel: the cross term of the n = 3 field expansion

_CROSS_TERM = "c[1] * (s2 - 2 * si * A + rowsum_i)"


def _dense_kernels_without_cross_term():
    """``hopfield.kernels.dense`` compiled from its own source with ``- 2 si A`` deleted from ``_field_int``.

    A source patch: the module's text with the one expression replaced (and Numba's
    on-disk cache off), executed as a fresh module; the library's files are untouched.
    """
    import importlib.util
    import types

    import hopfield.kernels.dense as kd

    spec = importlib.util.find_spec(kd.__name__)
    with open(spec.origin) as f:
        src = f.read()
    if src.count(_CROSS_TERM) != 1:
        raise RuntimeError(f"dense-no-cross-term: {_CROSS_TERM!r} is not in hopfield/kernels/dense.py exactly once")
    src = src.replace(_CROSS_TERM, "c[1] * (s2 + rowsum_i)").replace("cache=True", "cache=False")
    mod = types.ModuleType("hopfield.kernels._dense_no_cross_term")
    exec(compile(src, "<dense kernels without the cross term>", "exec"), mod.__dict__)
    return mod


_NO_CROSS = []  # the compiled mutant, built once per process


@mutant("dense-no-cross-term", "simulator",
        "the n = 3 dense field drops the cross term - 2 s_i A of sum_mu r (a_mu - s_i r)^2 (hopfield/kernels/dense.py, "
        "_field_int): D evaluated at the overlap with bit i included for the signal and the noise alike",
        DENSE, targets=("dense-basin",), quick_targets=("dense-basin",),
        note="at a stored pattern the missing 12 s_i A shifts every bit's field alike and the dense-* error checks "
             "pass; from a noisy cue it removes the -+2/(N m0) self-exclusion of the signal")
def _dense_no_cross_term():
    import hopfield.kernels.dense as kd

    if not _NO_CROSS:
        _NO_CROSS.append(_dense_kernels_without_cross_term())
    with _Patch.context() as mp:
        mp.setattr(kd, "run_dense_kernel", _NO_CROSS[0].run_dense_kernel)
        yield


# ------------------------------------------------ source mutants: a module compiled with a one-line slip

def _compile_with(modname, edits, tag):
    """``modname`` compiled from its own source with ``edits`` applied, as a fresh module object.

    ``edits``: ``(old, new, count)`` text replacements; each ``old`` must occur
    exactly ``count`` times (a changed source fails loudly instead of yielding an
    unmutated mutant). Numba's on-disk cache is switched off and derivations the
    module registers go to a throwaway registry; the library's files and
    registries are untouched.
    """
    import importlib.util
    import types

    import theory.derivation as tdv

    spec = importlib.util.find_spec(modname)
    with open(spec.origin) as f:
        src = f.read()
    for old, new, count in edits:
        if src.count(old) != count:
            raise RuntimeError(f"{tag}: {old!r} occurs {src.count(old)} times in {spec.origin}, expected {count}")
        src = src.replace(old, new)
    src = src.replace("cache=True", "cache=False")
    mod = types.ModuleType(modname)  # same name: dataclasses and pickling resolve the real module
    mod.__file__ = spec.origin
    saved, tdv.DERIVATIONS = tdv.DERIVATIONS, {}
    try:
        exec(compile(src, f"<{modname} ({tag})>", "exec"), mod.__dict__)
    finally:
        tdv.DERIVATIONS = saved
    return mod


def _own_functions(mod):
    """Names of the functions ``mod`` defines itself (lru-cached and Numba-compiled ones included)."""
    out = []
    for name, v in vars(mod).items():
        f = getattr(v, "py_func", None) or getattr(v, "__wrapped__", None) or v
        if callable(v) and not isinstance(v, type) and getattr(f, "__globals__", None) is mod.__dict__:
            out.append(name)
    return out


_COMPILED = {}  # mutant name -> its compiled module, built once per process


def _clear_caches(modnames):
    import importlib

    for mn in modnames:
        for v in vars(importlib.import_module(mn)).values():
            if hasattr(v, "cache_clear"):
                v.cache_clear()


def source_mutant(name, modname, edits, also=(), clear=()):
    """Apply: every function of ``modname`` replaced by its twin from the source with ``edits``.

    ``also``: ``(module, attribute)`` pairs that imported one of the functions by
    name and are patched too; ``clear``: modules whose lru caches hold results
    of the real functions (cleared on entering and on leaving).
    """
    import importlib

    @contextlib.contextmanager
    def apply():
        real = importlib.import_module(modname)
        if name not in _COMPILED:
            _COMPILED[name] = _compile_with(modname, edits, name)
        new = _COMPILED[name]
        _clear_caches(clear)
        try:
            with _Patch.context() as mp:
                for fn in _own_functions(new):
                    mp.setattr(real, fn, getattr(new, fn))
                for other, attr in also:
                    mp.setattr(importlib.import_module(other), attr, getattr(new, attr))
                yield
        finally:
            _clear_caches(clear)

    return apply


def _declare_source(name, kind, description, family, modname, edits, targets=(), quick_targets=(), note="",
                    also=(), clear=()):
    MUTANTS[name] = Mutant(name, kind, description, source_mutant(name, modname, edits, also, clear), tuple(family),
                           tuple(targets), tuple(quick_targets), note)


KV_READOUT = ("kv-readout-moments", "kv-argmax-accuracy", "induction-ape-recall")
INDUCTION_LOGITS = ("induction-logits", "induction-deviation", "induction-flip", "induction-normaliser")
AGS_T = ("ags-glauber", "ags-spin-glass")

# the twelve one-line slips of the catalogue (issue 22)
_declare_source(
    "kv-other-var-M1", "formula",
    "kv readout variance of another stored value with (M - 1) cross terms for (M - 2) "
    "(theory.kv_memory.readout_moments)",
    KV_READOUT, "theory.kv_memory",
    [('"other_var": sp.expand(2 * v4 * c2 + (M - 2) * c2 * c2)',
      '"other_var": sp.expand(2 * v4 * c2 + (M - 1) * c2 * c2)', 1)],
    targets=("kv-readout-moments",), quick_targets=("kv-readout-moments",))
_declare_source(
    "induction-normaliser-t", "formula",
    "induction logits with the layer-2 normaliser e^beta2 n_q + t for e^beta2 n_q + (t - n_q) "
    "(theory.induction.derive)",
    INDUCTION_LOGITS, "theory.induction",
    [("Z = weight.subs(a, 1) * nq + weight.subs(a, 0) * (t - nq)", "Z = weight.subs(a, 1) * nq + weight.subs(a, 0) * t",
      1)],
    targets=("induction-normaliser",), quick_targets=("induction-normaliser",))
_declare_source(
    "gardner-density-2pi", "formula",
    "Gardner's stability integral with the Gaussian density over 2 pi for sqrt(2 pi) "
    "(theory.gardner.stability_integral)",
    ("gardner-perceptron",), "theory.gardner",
    [("k * sp.exp(-k**2 / 2) / sp.sqrt(2 * sp.pi)", "k * sp.exp(-k**2 / 2) / (2 * sp.pi)", 1)],
    quick_targets=("gardner-perceptron",))
_declare_source(
    "dense-replica-cn-2n-1", "formula",
    "dense replica crosstalk variance c_n = (2n-1)!! for (2n-3)!! (theory.dense_replica.c_n)",
    DENSE_REPLICA, "theory.dense_replica",
    [("return int(sp.factorial2(2 * n - 3))", "return int(sp.factorial2(2 * n - 1))", 1)],
    quick_targets=DENSE_REPLICA)
_declare_source(
    "dense-replica-reaction-linear", "formula",
    "dense replica Onsager reaction Gamma = alpha (n-1) (2n-5)!! C for alpha (n-1)^2 (2n-5)!! C "
    "(theory.dense_replica.reaction_excess)",
    DENSE_REPLICA, "theory.dense_replica",
    [("out = a * (n - 1) ** 2 * dfact * C * C", "out = a * (n - 1) * dfact * C * C", 1)],
    quick_targets=DENSE_REPLICA)
_declare_source(
    "sparse-rs-no-gamma-shift", "formula",
    "sparse RS retrieval without the threshold shift Gamma/2: theta = -u s for Gamma (1 + lo)/2 - u s "
    "(theory.sparse_rs.from_yu; the noise amplification kept)",
    SPARSE_CAP, "theory.sparse_rs",
    [("theta = Gamma * (1 + lo) / 2 - u * s", "theta = -u * s", 1)])
_declare_source(
    "storkey-field-keeps-wii", "simulator",
    "the Storkey kernel's local field h_ij keeps the self term w_ii x_i (hopfield/kernels/storkey.py: "
    "gi = g_i for g_i - w_ii x_i)",
    STORKEY, "hopfield.kernels.storkey",
    [("gi = g[i] - d[i] * xi", "gi = g[i]", 1)],
    also=(("simulations.estimators.storkey", "storkey_learn"),))
_declare_source(
    "spin-glass-q-alpha-sqrt-r", "formula",
    "spin-glass q = <tanh^2(beta alpha sqrt(r) z)> for <tanh^2(beta sqrt(alpha r) z)> (theory.ags.spin_glass_q)",
    SPIN_GLASS, "theory.ags",
    [("np.tanh(beta * np.sqrt(alpha * r) * z) ** 2) - q", "np.tanh(beta * alpha * np.sqrt(r) * z) ** 2) - q", 1)])
_declare_source(
    "basins-two-step-minus", "formula",
    "two-step basin variance alpha (1 + D^2 - 2 m0 m1 D) for alpha (1 + D^2 + 2 m0 m1 D) "
    "(theory.basins.second_step)",
    ("basins-two-step",), "theory.basins",
    [("s = sp.sqrt(2 * alpha * (1 + D**2 + 2 * m0 * m1 * D))", "s = sp.sqrt(2 * alpha * (1 + D**2 - 2 * m0 * m1 * D))",
      1)],
    quick_targets=("basins-two-step",))
_declare_source(
    "ags-r-unsquared", "formula",
    "AGS r = q/(1 - beta(1-q)) for q/(1 - beta(1-q))^2, in each of theory.ags's four solvers (retrieval branch, "
    "spin-glass q, free-energy difference)",
    AGS_T, "theory.ags",
    [("r = q / (1 - beta * (1 - q)) ** 2", "r = q / (1 - beta * (1 - q))", 4)],
    quick_targets=("ags-glauber",))

# one for each check the twelve do not reach
_declare_source(
    "kv-zipf-no-half", "formula",
    "Zipf error exponent (alpha-1)/alpha for (alpha-1)/(2 alpha) (interference level d^-1 for d^-1/2; "
    "theory.kv_memory.zipf_error_exponent)",
    ("kv-zipf-scaling",), "theory.kv_memory",
    [("expr = (a - 1) / (2 * a) if storage", "expr = (a - 1) / a if storage", 1)],
    quick_targets=("kv-zipf-scaling",))
_declare_source(
    "kv-decay-crosstalk-lam-age", "formula",
    "decaying memory's crosstalk weighted by lam^age' for lam^(2 age') (theory.forgetting.crosstalk_weight: the "
    "decay applied to the variance once, not squared)",
    ("kv-decay-recall-age",), "theory.forgetting",
    [("sp.summation(lam ** (2 * i), (i, 0, upper))", "sp.summation(lam ** i, (i, 0, upper))", 1),
     ("expr = sp.simplify(total) - lam ** (2 * age)", "expr = sp.simplify(total) - lam ** age", 1)],
    quick_targets=("kv-decay-recall-age",))
_declare_source(
    "kv-decay-after-write", "simulator",
    "the gated Hebbian stream decays after the write, W <- g (W + v k^T), for W <- g W + v k^T "
    "(hopfield/kernels/kv.py: stream_gated_range)",
    ("kv-decay-recall-age",), "hopfield.kernels.kv",
    [("W[a, b] = g * W[a, b] + va * K[s, t, b]", "W[a, b] = g * (W[a, b] + va * K[s, t, b])", 1)],
    quick_targets=("kv-decay-recall-age",))
_declare_source(
    "kv-decay-optimum-unsquared", "formula",
    "the optimal decay read off 1 - lam* = x for 1 - lam*^2 = x (theory.forgetting.optimal_decay: the square of "
    "y = lam^2 forgotten; about twice the best forgetting)",
    ("kv-decay-optimum",), "theory.forgetting",
    [("out[idx] = np.sqrt(1 - x)", "out[idx] = 1 - x", 1)],
    quick_targets=("kv-decay-optimum",))
_declare_source(
    "kv-decay-gate-twice", "simulator",
    "the gated Hebbian stream applies its gate twice, W <- g^2 W + v k^T for W <- g W + v k^T "
    "(hopfield/kernels/kv.py: stream_gated_range)",
    ("kv-decay-optimum",), "hopfield.kernels.kv",
    [("W[a, b] = g * W[a, b] + va * K[s, t, b]", "W[a, b] = g * g * W[a, b] + va * K[s, t, b]", 1)],
    quick_targets=("kv-decay-optimum",))
_declare_source(
    "kv-gated-delta-no-erase-noise", "formula",
    "gated delta rule's stored-score variance without the noise the erase term -a b (W k)(k . u) carries in at "
    "each later write (theory.forgetting.gated_delta_moments: only the new value's projection counted)",
    ("kv-gated-delta-recall-age",), "theory.forgetting",
    [("+ a**2 * c * ((h0 - hinf) * S1 + hinf * S0) \\\n", "\\\n", 1)],
    quick_targets=("kv-gated-delta-recall-age",))
_declare_source(
    "kv-gated-delta-ungated-erase", "simulator",
    "the gated delta stream gates the old state but not its erase, W <- a W - b (W k) k^T + b v k^T for "
    "a W (I - b k k^T) + b v k^T (hopfield/kernels/kv.py: stream_gated_delta_range)",
    ("kv-gated-delta-recall-age",), "hopfield.kernels.kv",
    [("W[a, b] = a_t * (W[a, b] - u * kb) + c * kb", "W[a, b] = a_t * W[a, b] - u * kb + c * kb", 1)],
    quick_targets=("kv-gated-delta-recall-age",))
_declare_source(
    "kv-decay-mqar-age-from-start", "formula",
    "MQAR under the decaying memory with each pair's age counted from the start of the sequence (its token "
    "2 i + 1) for from the query (query_pos - 2 i - 1) (theory.forgetting.mqar_accuracy)",
    ("kv-decay-mqar",), "theory.forgetting",
    [("ages = qp[idx] - (2 * np.arange(P) + 1)", "ages = (2 * np.arange(P) + 1)", 1)],
    quick_targets=("kv-decay-mqar",))
_declare_source(
    "kv-gated-delta-mqar-decay-signal", "formula",
    "MQAR under the gated delta rule with the decay rule's signal a^age for the exact (a (1 - 1/d))^age: the "
    "erase of each later write ignored (theory.forgetting.gated_delta_mqar_accuracy)",
    ("kv-gated-delta-mqar",), "theory.forgetting",
    [('mu = float(m["mean"].evaluate(**vals))', "mu = a ** float(ages[j])", 1)],
    quick_targets=("kv-gated-delta-mqar",))
_declare_source(
    "induction-ape-no-causal-prefix", "formula",
    "APE previous-token recall with T - 1 competitors at every position for t at position t "
    "(theory.induction._ape_one: the causal prefix ignored)",
    ("induction-ape-recall",), "theory.induction",
    [("t = np.arange(1, int(T))\n    base", "t = np.full(int(T) - 1, int(T) - 1)\n    base", 1)],
    quick_targets=("induction-ape-recall",))
_declare_source(
    "induction-rpe-mean-recall", "formula",
    "P(RPE head right at every position) as the recall averaged over positions, E mean_t Phi^t for "
    "E Phi^(T-1) (theory.induction.rpe_all_positions with last_only=False)",
    ("induction-rpe-flat",), "theory.induction",
    [("lambda d_, T_: _rpe_one(d_, T_, last_only=True)", "lambda d_, T_: _rpe_one(d_, T_, last_only=False)", 1)],
    targets=("induction-rpe-flat",), quick_targets=("induction-rpe-flat",))
_declare_source(
    "pseudo-inverse-no-cue-noise", "formula",
    "projection-rule one-step overlap erf(m0 sqrt((1-alpha)/(2 alpha))) for erf(m0 sqrt((1-alpha)/(2 alpha "
    "(1-m0^2)))) (the cue's orthogonal part 1 - m0^2 dropped; theory.basins.first_step_projection)",
    ("pseudo-inverse",), "theory.basins",
    [("expr = sp.erf(m0 * sp.sqrt((1 - alpha) / (2 * alpha * (1 - m0**2))))",
      "expr = sp.erf(m0 * sp.sqrt((1 - alpha) / (2 * alpha)))", 1)],
    quick_targets=("pseudo-inverse",))
_declare_source(
    "sparse-one-step-var-1-a", "formula",
    "sparse one-step crosstalk variance alpha a (1 - a) for alpha a (theory.sparse.bit_errors)",
    ("sparse-one-step",), "theory.sparse",
    [("s = sp.sqrt(alpha * a)\n", "s = sp.sqrt(alpha * a * (1 - a))\n", 1)],
    quick_targets=("sparse-one-step",))


from hopfield.kernels.induction import _exp_prefix  # noqa: E402  (the kernels' own prefix softmax)


@njit(cache=True, nogil=True)
def _causal_softmax_strict(b0, b1, S):
    """``hopfield.kernels.induction.causal_softmax`` over ``s < t`` (the current position left out); row 0 is zero."""
    T = S.shape[1]
    for b in range(b0, b1):
        for t in range(T):
            row = S[b, t]
            if t == 0:
                for s in range(T):
                    row[s] = row.dtype.type(0.0)
                continue
            tot = _exp_prefix(row, t - 1)  # zeroes s >= t
            for s in range(t):
                row[s] = row[s] / tot



@mutant("induction-layer2-strict", "simulator",
        "layer 2 of the induction model attends over s < t instead of s <= t (its causal softmax leaves out the "
        "current position)", INDUCTION_LOGITS, targets=("induction-normaliser",),
        quick_targets=("induction-normaliser",))
def _induction_layer2_strict():
    import hopfield.kernels.induction as ki

    with _Patch.context() as mp:
        mp.setattr(ki, "causal_softmax", _causal_softmax_strict)
        yield


@mutant("kv-delta-eta-1-over-norm", "simulator",
        "DeltaMemory's default rate eta = 1/|k| for 1/|k|^2 (hopfield.kv.DeltaMemory.rates)",
        ("kv-delta-fixed-point", "kv-delta-one-pass"), targets=())
def _kv_delta_eta():
    from hopfield.kv import DeltaMemory

    real = DeltaMemory.rates

    def rates(self, K):
        if self.eta is None:
            sq = np.einsum("ij,ij->i", K, K, dtype=np.float64)
            return (1.0 / np.sqrt(sq)).astype(self.dtype)
        return real(self, K)

    with _Patch.context() as mp:
        mp.setattr(DeltaMemory, "rates", rates)
        yield


@mutant("kv-softmax-beta-half", "simulator", "SoftmaxMemory reads with softmax(beta/2 K q) for softmax(beta K q)",
        ("kv-softmax-bound",), targets=(), quick_targets=("kv-softmax-bound",))
def _kv_softmax_beta_half():
    from hopfield.kv import SoftmaxMemory

    real = SoftmaxMemory.__init__

    def init(self, *args, **kw):
        real(self, *args, **kw)
        self.beta = self.beta / 2.0

    with _Patch.context() as mp:
        mp.setattr(SoftmaxMemory, "__init__", init)
        yield


@mutant("mixture-glauber-half-field", "simulator",
        "the mixture runs' Glauber flips with P(s_i = +1) = 1/(1 + exp(-beta h_i)) for 1/(1 + exp(-2 beta h_i)) "
        "(the simulated temperature doubled)", ("mixture-stability",), targets=(),
        quick_targets=("mixture-stability",))
def _mixture_glauber_half_field():
    from simulations.checks.suite import mixtures as cm

    real = cm.mixture_runs

    def runs(**kw):
        return real(**{**kw, "T_factor": 2.0 * kw.get("T_factor", 1.0)})

    with _Patch.context() as mp:
        mp.setattr(cm, "mixture_runs", runs)
        yield


# ------------------------------------------------------------------ palimpsests (issue 26)
_declare_source(
    "palimpsest-variance-lam-t", "formula",
    "palimpsest crosstalk variance summed with weights lam^t' for lam^(2t') (theory.palimpsest.field_variance)",
    ("palimpsest-window",), "theory.palimpsest",
    [("total = sp.summation(lam**(2 * tp), (tp, 0, P - 1))", "total = sp.summation(lam**tp, (tp, 0, P - 1))", 1),
     ("expr = (N - 1) / N**2 * (total - lam**(2 * t))", "expr = (N - 1) / N**2 * (total - lam**t)", 1)],
    quick_targets=("palimpsest-window",))
_declare_source(
    "palimpsest-window-constant", "formula",
    "the replica window replaced by the published optimum, about 0.05 N, at every forgetting rate "
    "(theory.palimpsest.replica_window)",
    ("palimpsest-capacity",), "theory.palimpsest",
    [("return max(0.0, -math.log(c_min) / e)", "return 0.05", 1)],
    quick_targets=("palimpsest-capacity",))


@mutant("palimpsest-no-decay", "simulator",
        "the marginalist stream writes J <- J + xi xi^T/N, the old couplings never decayed "
        "(hopfield.kernels.palimpsest.write called with lam = 1)",
        ("palimpsest-window", "palimpsest-capacity"), targets=(),
        quick_targets=("palimpsest-window", "palimpsest-capacity"))
def _palimpsest_no_decay():
    from hopfield.kernels import palimpsest as kp

    real = kp.write

    def write(J, xi, rule, lam, inv_n, bound):
        return real(J, xi, rule, J.dtype.type(1.0), inv_n, bound)

    with _Patch.context() as mp:
        mp.setattr(kp, "write", write)
        yield
