"""Registered step-by-step derivations (``amlab derive NAME``).

Each function builds its steps from the same SymPy code that produces the
formulas in ``theory``, so the printed derivation is the computation itself.
"""

from __future__ import annotations

import sympy as sp

from theory import ags, classical, dense, exponential, kv_memory, modern
from theory.derivation import Derivation, Step, register_derivation
from theory.formula import sym

__all__ = ["crosstalk", "mceliece", "ags_t0", "dense_snr", "demircigil", "ramsauer_capacity", "kv_readout"]


@register_derivation("classical-crosstalk")
def crosstalk() -> Derivation:
    """Hebbian crosstalk: mean and variance from Rademacher sums, and the bit error."""
    N, P, t = sym("N"), sym("P"), sp.Symbol("t", real=True)
    L = (P - 1) * (N - 1)
    mom0, mom1 = classical.crosstalk_moments(False), classical.crosstalk_moments(True)
    steps = [
        Step("Aligned field at pattern nu: signal (N-1)/N plus crosstalk C = (1/N) sum_{mu!=nu} sum_{j!=i} "
             "a_{mu j}, a = xi_i^nu xi_i^mu xi_j^mu xi_j^nu: L = (P-1)(N-1) independent Rademacher terms",
             sp.Eq(sp.Symbol("L"), L)),
        Step("Cumulant generating function of C (E exp(t a/N) = cosh(t/N))",
             sp.Eq(sp.Function("K_C")(t), L * sp.log(sp.cosh(t / N)))),
        Step("Taylor series in t", sp.series(L * sp.log(sp.cosh(t / N)), t, 0, 3)),
        Step("Mean (coefficient of t) and variance (2 x coefficient of t^2)",
             sp.Tuple(sp.Eq(sp.Symbol("E[C]"), mom0["mean"]), sp.Eq(sp.Symbol("Var[C]"), mom0["variance"]))),
        Step("Gaussian approximation of C: P_err = Phi(-signal/std)", sp.Eq(sp.Symbol("P_err"),
                                                                              classical.bit_error().expr)),
        Step("Kept diagonal w_ii = P/N adds P/N to the signal", sp.Eq(sp.Symbol("P_err^diag"),
                                                                     classical.bit_error(True).expr)),
        Step("Large N at alpha = P/N: P_err -> Phi(-1/sqrt(alpha)); inverted",
             sp.Eq(sp.Symbol("alpha"), classical.alpha_at_error().expr)),
        Step("Signal with the diagonal kept, for comparison", sp.Eq(sp.Symbol("signal_diag"), mom1["signal"])),
    ]
    return Derivation("classical-crosstalk", "Crosstalk of the Hebbian Hopfield network",
                      classical.bit_error().source, steps)


@register_derivation("mceliece")
def mceliece() -> Derivation:
    """McEliece et al. capacities N/(2 ln N), N/(4 ln N) and the ln ln N correction."""
    steps = []
    for all_p in (False, True):
        ex = classical.mceliece_expansion(all_p)
        tag = "All patterns" if all_p else "A given pattern"
        for text, expr in ex["steps"]:
            steps.append(Step(f"[{tag}] {text}", expr))
        steps.append(Step(f"[{tag}] Leading order", sp.Eq(sp.Symbol("P"), classical.mceliece(all_p).expr)))
    return Derivation("mceliece", "Capacity of the Hebbian network from the Gaussian tail",
                      classical.mceliece().source + "; next order derived here", steps)


@register_derivation("ags")
def ags_t0() -> Derivation:
    """AGS replica-symmetric equations at T = 0: alpha(y) and the critical load."""
    m, alpha, r, y = sp.symbols("m alpha r y", positive=True)
    C = sp.sqrt(2 / (sp.pi * alpha * r)) * sp.exp(-m**2 / (2 * alpha * r))
    s = m / (sp.sqrt(2) * y)  # s = sqrt(alpha r) from y = m / sqrt(2 alpha r)
    C_y = sp.simplify(C.subs(alpha, s**2 / r))
    alpha_y = sp.simplify((s**2 * (1 - C_y) ** 2).subs(m, sp.erf(y)))
    target = ags.alpha_of_y().expr.subs(sym("y"), y)
    crit = ags.critical()
    steps = [
        Step("T = 0 RS equations (m, C = lim beta(1-q), r)",
             sp.Tuple(sp.Eq(m, sp.erf(m / sp.sqrt(2 * alpha * r))), sp.Eq(sp.Symbol("C"), C),
                      sp.Eq(r, 1 / (1 - sp.Symbol("C")) ** 2))),
        Step("Set y = m/sqrt(2 alpha r), i.e. sqrt(alpha r) = m/(sqrt(2) y); then m = erf(y) and",
             sp.Eq(sp.Symbol("C"), C_y)),
        Step("alpha = (alpha r)/r = (alpha r)(1 - C)^2 with m = erf(y)", sp.Eq(alpha, alpha_y)),
        Step("Minus the closed form alpha(y) of theory.ags.alpha_of_y, simplified",
             sp.Eq(sp.Symbol("difference"), sp.simplify(alpha_y - target), evaluate=False)),
        Step("Critical load: maximum over y (root of d alpha/dy by brentq)",
             sp.Tuple(sp.Eq(sp.Symbol("y_c"), sp.Float(crit["y_c"], 7)),
                      sp.Eq(sp.Symbol("alpha_c"), sp.Float(crit["alpha_c"], 7)),
                      sp.Eq(sp.Symbol("m_c"), sp.Float(crit["m_c"], 7)))),
    ]
    return Derivation("ags", "Amit-Gutfreund-Sompolinsky retrieval at T = 0", ags.alpha_of_y().source, steps)


@register_derivation("dense-snr")
def dense_snr() -> Derivation:
    """Dense memory: exact finite-N SNR from the moments of cosh(t)^(N-1), and capacity."""
    y, t = sp.Symbol("y", real=True), sp.Symbol("t", real=True)
    L = sym("L")
    N, K = sym("N"), sym("K")
    n = 3
    D = sp.expand((y + 1) ** n - (y - 1) ** n)
    steps = [
        Step("Noise term of another pattern: eps * D(y), D(y) = F(y+1) - F(y-1), here F = x^3",
             sp.Eq(sp.Function("D")(y), D)),
        Step("y = sum of L = N-1 Rademacher variables: E exp(t y) = cosh(t)^L, series",
             sp.series(sp.cosh(t) ** L, t, 0, 5)),
        Step("Moments E y^2, E y^4, E y^6 by coefficient extraction",
             sp.Tuple(*[dense.rademacher_moment(k) for k in (1, 2, 3)])),
        Step("E[D(y)^2] for F = x^3", sp.Eq(sp.Symbol("E[D^2]"), dense.poly_noise_moment(3))),
        Step("Signal F(L+1) - F(L-1) with L = N - 1", sp.Eq(sp.Symbol("S"), sp.factor(dense.signal(3)))),
        Step("Exact SNR^2 = S^2 / ((K-1) E[D^2]) for n = 3", sp.Eq(sp.Symbol("SNR^2"), dense.snr_squared(3).expr)),
        Step("and for n = 2, 4", sp.Tuple(dense.snr_squared(2).expr, dense.snr_squared(4).expr)),
        Step("Large N: SNR^2 (K-1) / N^(n-1) -> 1/(2n-3)!! (n = 3: 1/3)",
             sp.limit(dense.snr_squared(3).expr * (K - 1) / N**2, N, sp.oo)),
        Step("Error-free capacity (x^2 = 2 ln N; all patterns: 2 n ln N)",
             sp.Tuple(dense.k_max_error_free(3).expr, dense.k_max_error_free(3, True).expr)),
    ]
    return Derivation("dense-snr", "Exact signal-to-noise ratio of the dense associative memory",
                      dense.snr_squared(3).source, steps)


@register_derivation("demircigil")
def demircigil() -> Derivation:
    """Exponential memory: capacity exponent I(1-2 rho)/2 and its entropy form."""
    rho, x = sym("rho"), sp.Symbol("x", real=True)
    I = (1 + x) * sp.log(1 + x) / 2 + (1 - x) * sp.log(1 - x) / 2
    a = exponential.demircigil_alpha().expr.rewrite(sp.log)
    H = -rho * sp.log(rho) - (1 - rho) * sp.log(1 - rho)
    steps = [
        Step("Cramer function of a Rademacher mean", sp.Eq(sp.Function("I")(x), I)),
        Step("Bound alpha < I(1 - 2 rho)/2", sp.Eq(sp.Symbol("alpha"), a)),
        Step("Minus (ln 2 - H(rho))/2, H the binary entropy in nats, simplified",
             sp.Eq(sp.Symbol("difference"), sp.simplify(sp.expand_log(a - (sp.log(2) - H) / 2, force=True)),
                   evaluate=False)),
        Step("rho -> 0: alpha -> ln(2)/2, i.e. M = 2^(N/2) patterns", sp.limit(a, rho, 0)),
    ]
    return Derivation("demircigil", "Capacity of the exponential dense memory",
                      exponential.demircigil_alpha().source, steps)


@register_derivation("ramsauer-capacity")
def ramsauer_capacity() -> Derivation:
    """Modern Hopfield capacity (Theorem 3, Lambert W) on the paper's two examples."""
    c = modern.capacity_c()
    beta, K, d, p = c.symbols
    steps = [Step("c = b / W0(exp(a + ln b)), a = (2/(d-1))(1 + ln(2 beta K^2 p (d-1))), b = 2 K^2 beta/5",
                  sp.Eq(sp.Symbol("c"), c.expr)),
             Step("Condition and guarantee", sp.Tuple(
                 sp.Ge(sp.Symbol("c"), (2 / sp.sqrt(p)) ** (4 / (d - 1))),
                 sp.Ge(sp.Symbol("N"), sp.sqrt(p) * sp.Symbol("c") ** ((d - 1) / 4))))]
    for vals in ((1, 3, 20, sp.Rational(1, 1000)), (1, 1, 75, sp.Rational(1, 1000))):
        sub = dict(zip((beta, K, d, p), vals))
        out = modern.capacity_bound(*[float(v) for v in vals])
        steps.append(Step(f"beta={vals[0]}, K={vals[1]}, d={vals[2]}, p=1/1000",
                          sp.Tuple(sp.Eq(sp.Symbol("c"), sp.N(c.expr.subs(sub), 6)),
                                   sp.Eq(sp.Symbol("N_min"), sp.Float(out["N"], 4)))))
    steps.append(Step("Fixed point near x_i if Delta_i exceeds", modern.fixed_point_condition().expr))
    steps.append(Step("One-step error bound (Theorem 5)", modern.retrieval_error_bound().expr))
    return Derivation("ramsauer-capacity", "Storage capacity of the modern Hopfield network", c.source, steps)


@register_derivation("kv-readout")
def kv_readout() -> Derivation:
    """Outer-product key-value memory: readout mean and variances from Gaussian moments."""
    g = kv_memory.gaussian_moments()
    r = kv_memory.readout_moments()
    steps = [
        Step("One coordinate of N(0, I/d): E g^2, E g^4 (sympy.stats)", sp.Tuple(g["m2"], g["m4"])),
        Step("E|v|^2, E|v|^4 = d E g^4 + d(d-1) (E g^2)^2, E(v.w)^2 = d (E g^2)^2",
             sp.Tuple(g["E|v|^2"], g["E|v|^4"], g["E(v.w)^2"])),
        Step("Stored score |v_j|^2|u_j|^2 + sum_{i!=j}(v_j.v_i)(u_i.u_j): mean, variance",
             sp.Tuple(r["stored_mean"], kv_memory.readout_variance("stored").expr)),
        Step("Another stored value b != j: variance (mean 0)", kv_memory.readout_variance("other").expr),
        Step("A never-stored value: variance (mean 0)", kv_memory.readout_variance("fresh").expr),
    ]
    return Derivation("kv-readout", "Readout of a Hebbian key-value memory", kv_memory._KV, steps)
