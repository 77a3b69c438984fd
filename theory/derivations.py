"""Registered step-by-step derivations (``amlab derive NAME``).

Each function builds its steps from the same SymPy code that produces the
formulas in ``theory``, so the printed derivation is the computation itself.
"""

from __future__ import annotations

import sympy as sp

from theory import ags, classical, dense, exponential, kv_memory, modern
from theory.derivation import Derivation, Named, Step, register_derivation
from theory.formula import sym

__all__ = ["crosstalk", "classical_fixed_points", "mceliece", "ags_t0", "dense_snr", "demircigil", "ramsauer_capacity", "kv_readout"]


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
        Step("Why the L terms are independent: write b_{j mu} = xi_j^mu xi_j^nu (mu != nu). The xi^mu are "
             "independent fair signs and xi^nu is fixed, so all b_{j mu} are independent fair signs; a_{mu j} = "
             "b_{i mu} b_{j mu}. Given the row b_{i .}, the terms for j != i are b_{j mu} times fixed signs: "
             "independent fair signs whatever b_{i .} is, hence independent of it too. P(a = 1) for every "
             "conditioning value b_i",
             sp.Tuple(*[sp.Rational(1, 2) for _ in (1, -1)])),
        Step("Two bits i != k are not independent: N^2 E[C_i C_k] = sum_mu sum_{j != i} sum_{l != k} "
             "E[b_{i mu} b_{j mu} b_{k mu} b_{l mu}] is 1 only for j = k and l = i, once per mu; with "
             "Var C = (P-1)(N-1)/N^2 their correlation is",
             sp.Eq(Named("corr(C_i, C_k)", r"\mathrm{corr}(C_i, C_k)"), sp.simplify(((P - 1) / N**2) / ((P - 1) * (N - 1) / N**2)))),
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


@register_derivation("classical-fixed-points")
def classical_fixed_points() -> Derivation:
    """P(a stored pattern is a fixed point) conditional on its overlaps with the other patterns."""
    N, P = sym("N"), sym("P")
    i, j, mu = sp.symbols("i j mu", integer=True)
    M = sp.IndexedBase("M")
    b = sp.IndexedBase("b")
    field = (N - 1) + sp.Sum(b[i, mu] * (M[mu] - b[i, mu]), (mu, 1, P - 1))
    p_plus = sp.Symbol("p_plus")
    cond_mean = sp.simplify(2 * ((1 + M[mu] / N) / 2) - 1)
    steps = [
        Step("At pattern nu, b_{j mu} = xi_j^mu xi_j^nu and the overlaps M_mu = xi^mu . xi^nu = sum_j b_{j mu}: "
             "the sum over j != i in N xi_i h_i is M_mu - b_{i mu}, so",
             sp.Eq(Named("N xi_i h_i", r"N \xi_i h_i"), field)),
        Step("b_{i mu}^2 = 1: the aligned field is the constant N - P plus b-weighted overlaps",
             sp.Eq(Named("N xi_i h_i", r"N \xi_i h_i"), (N - P) + sp.Sum(b[i, mu] * M[mu], (mu, 1, P - 1)))),
        Step("Given M, the N bits of pattern mu are exchangeable with sum M_mu: P(b_{i mu} = 1 | M) = "
             "(1 + M_mu/N)/2, so E[b_{i mu} | M]", sp.Eq(Named("E[b_i_mu | M]", r"E[b_{i\mu} | M]"), cond_mean)),
        Step("All bits of the pattern share M: a mean shift sum_mu M_mu^2/N = Q and a common variance; "
             "Q is a sum of P-1 squared overlaps, E Q", sp.Eq(sp.Symbol("E[Q]"), (P - 1) * N / N)),
        Step("Per bit, given M (independent over mu): p(M) = P(sum_mu b_mu M_mu <= -(N - P) | M), an exact "
             "lattice tail (theory.classical.p_fixed_overlap_conditional). Treating the bits as independent "
             "given M (exact up to sampling without replacement inside each pattern, order 1/N):",
             sp.Eq(sp.Symbol("P_fixed"), Named("E_M[(1 - p(M))^N]", r"E_M\left[(1 - p(M))^N\right]"))),
        Step("(1 - p)^N is convex in p, so by Jensen's inequality P_fixed >= (1 - E_M p(M))^N = (1 - P_err)^N "
             "with P_err the exact one-bit tail: the independent-bit formula is a lower bound. Its second "
             "derivative in p", sp.diff((1 - p_plus) ** N, p_plus, 2)),
        Step("The mean number of unstable bits needs no independence: linearity of expectation",
             sp.Eq(sp.Symbol("E[unstable bits]"), N * sp.Symbol("P_err"))),
    ]
    return Derivation("classical-fixed-points", "Fixed points of the Hebbian network given the overlaps",
                      "McEliece, Posner, Rodemich & Venkatesh, IEEE Trans. Inf. Theory 33, 461 (1987) (the event); "
                      "the conditioning on the overlaps is derived here", steps)


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
    """AGS replica-symmetric saddle point, its T = 0 limit, alpha(y) and the critical load."""
    m, alpha, r, z, u = sp.symbols("m alpha r z u", real=True)
    beta, s, y = sp.symbols("beta s y", positive=True)
    q, C = sp.Symbol("q"), sp.Symbol("C")
    Dz = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    field = m + s * z  # s = sqrt(alpha r), the width of the Gaussian crosstalk field
    # beta -> oo: tanh(beta x) -> sign(x), so m = <sign(m + s z)>_z = P(z > -m/s) - P(z < -m/s)
    m_T0 = sp.simplify(sp.integrate(Dz, (z, -m / s, sp.oo)) - sp.integrate(Dz, (z, -sp.oo, -m / s)))
    # beta (1 - tanh^2(beta x)) = beta sech^2(beta x) has integral 2 and width 1/beta: -> 2 delta(x)
    prim = sp.tanh(beta * u)  # antiderivative of beta sech^2(beta u)
    assert sp.simplify(sp.diff(prim, u) - beta * sp.sech(beta * u) ** 2) == 0
    mass = sp.limit(prim, u, sp.oo) - sp.limit(prim, u, -sp.oo)
    C_T0 = sp.simplify(sp.integrate(2 * sp.DiracDelta(field) * Dz, (z, -sp.oo, sp.oo)))
    m_, a_, r_ = sp.symbols("m alpha r", positive=True)
    Cexpr = sp.sqrt(2 / (sp.pi * a_ * r_)) * sp.exp(-m_**2 / (2 * a_ * r_))
    sy = m_ / (sp.sqrt(2) * y)  # sqrt(alpha r) from y = m / sqrt(2 alpha r)
    C_y = sp.simplify(Cexpr.subs(a_, sy**2 / r_))
    alpha_y = sp.simplify((sy**2 * (1 - C_y) ** 2).subs(m_, sp.erf(y)))
    target = ags.alpha_of_y().expr.subs(sym("y"), y)
    crit = ags.critical()
    steps = [
        Step("Replica-symmetric saddle point at temperature T = 1/beta (Amit, Gutfreund & Sompolinsky 1987): "
             "the condensed overlap m, the Edwards-Anderson q and the crosstalk variance r, with <.>_z a "
             "standard Gaussian average and s = sqrt(alpha r)",
             sp.Tuple(sp.Eq(m, Named("<tanh(beta (m + s z))>_z", r"\langle \tanh(\beta (m + s z)) \rangle_z")), sp.Eq(q, Named("<tanh^2(beta (m + s z))>_z", r"\langle \tanh^2(\beta (m + s z)) \rangle_z")),
                      sp.Eq(r, q / (1 - beta * (1 - q)) ** 2))),
        Step("beta -> oo: tanh(beta x) -> sign(x), so m = P(z > -m/s) - P(z < -m/s)", sp.Eq(m, m_T0)),
        Step("q -> 1 but C = beta (1 - q) = <beta sech^2(beta (m + s z))>_z stays finite: beta sech^2(beta u) "
             "total mass tanh(+oo) - tanh(-oo) (d/du tanh(beta u) = beta sech^2(beta u))", sp.Eq(sp.Symbol("mass"), mass)),
        Step("and width 1/beta, so it tends to 2 delta(u), and C = <2 delta(m + s z)>_z", sp.Eq(C, C_T0)),
        Step("With q = 1 the third equation becomes", sp.Eq(r, 1 / (1 - C) ** 2)),
        Step("T = 0 equations in alpha and r (s^2 = alpha r)",
             sp.Tuple(sp.Eq(m_, sp.erf(m_ / sp.sqrt(2 * a_ * r_))), sp.Eq(C, Cexpr))),
        Step("Set y = m/sqrt(2 alpha r), i.e. sqrt(alpha r) = m/(sqrt(2) y); then m = erf(y) and",
             sp.Eq(C, C_y)),
        Step("alpha = (alpha r)/r = (alpha r)(1 - C)^2 with m = erf(y)", sp.Eq(a_, alpha_y)),
        Step("Minus the closed form alpha(y) of theory.ags.alpha_of_y, simplified",
             sp.Eq(sp.Symbol("difference"), sp.simplify(alpha_y - target), evaluate=False)),
        Step("Critical load: maximum over y (root of d alpha/dy by brentq)",
             sp.Tuple(sp.Eq(sp.Symbol("y_c"), sp.Float(crit["y_c"], 7)),
                      sp.Eq(sp.Symbol("alpha_c"), sp.Float(crit["alpha_c"], 7)),
                      sp.Eq(sp.Symbol("m_c"), sp.Float(crit["m_c"], 7)))),
    ]
    return Derivation("ags", "Amit-Gutfreund-Sompolinsky retrieval: RS saddle point to T = 0",
                      ags.alpha_of_y().source, steps)


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
        Step("E[D(y)^2] for F = x^3", sp.Eq(Named("E[D^2]", r"E[D^2]"), dense.poly_noise_moment(3))),
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
    """Exponential memory: from the Cramer rate of a Rademacher mean to the capacity exponent."""
    rho, x, t = sym("rho"), sp.Symbol("x", real=True), sp.Symbol("t", real=True)
    alpha, N_ = sp.Symbol("alpha", positive=True), sym("N")
    Lam = sp.log(sp.cosh(t))  # log E exp(t eps), eps a fair sign
    t_star = sp.atanh(x)  # stationary point: d/dt (t x - ln cosh t) = x - tanh t = 0
    assert sp.simplify(sp.diff(t * x - Lam, t).subs(t, t_star)) == 0
    I_legendre = sp.simplify((t * x - Lam).subs(t, t_star))
    I = (1 + x) * sp.log(1 + x) / 2 + (1 - x) * sp.log(1 - x) / 2
    # equal on (-1, 1): checked at rational points to 30 digits (the closed forms differ by log identities)
    check = max(abs(sp.N((I_legendre - I).subs(x, v), 30)) for v in (sp.Rational(-9, 10), sp.Rational(-1, 3),
                                                                       sp.Rational(1, 7), sp.Rational(4, 5)))
    a = exponential.demircigil_alpha().expr.rewrite(sp.log)
    H = -rho * sp.log(rho) - (1 - rho) * sp.log(1 - rho)
    s_ = 1 - 2 * rho
    steps = [
        Step("Overlap of a cue with a random pattern: N times the mean of N fair signs; its log moment "
             "generating function per bit", sp.Eq(sp.Function("Lambda")(t), Lam)),
        Step("Cramer: P(overlap >= x N) = exp(-N I(x) + o(N)), I the Legendre transform; the sup over t is at",
             sp.Eq(t, t_star)),
        Step("which gives I(x) = x atanh(x) - ln cosh(atanh(x)); minus the closed form "
             "((1+x) ln(1+x) + (1-x) ln(1-x))/2, largest |difference| at x = -9/10, -1/3, 1/7, 4/5",
             sp.Eq(sp.Symbol("max_difference"), sp.Float(check, 3), evaluate=False)),
        Step("A cue with a fraction rho of flips overlaps its own pattern by (1 - 2 rho) N. Among M = exp(alpha N) "
             "random patterns, the expected number that overlap the cue at least as much is",
             sp.Eq(sp.Symbol("E[competitors]"), sp.exp(N_ * (alpha - sp.Function("I")(s_))))),
        Step("so retrieval fails for alpha > I(1 - 2 rho) (a competitor takes over under F = exp). "
             "Demircigil et al. (2017) prove retrieval for every bit of the dynamics with probability -> 1 "
             "under the stronger condition alpha < I(1 - 2 rho)/2 (their Theorem 3; the square of the "
             "per-pattern tail enters their bound on the noise of all N bits)", sp.Eq(sp.Symbol("alpha_max"), a)),
        Step("Minus (ln 2 - H(rho))/2, H the binary entropy in nats, simplified",
             sp.Eq(sp.Symbol("difference"), sp.simplify(sp.expand_log(a - (sp.log(2) - H) / 2, force=True)),
                   evaluate=False)),
        Step("rho -> 0: alpha -> ln(2)/2, i.e. M = 2^(N/2) patterns", sp.limit(a, rho, 0)),
        Step("Between the proven I/2 and the typical-case I, finite N decides: exp-recovery measures 96-100% "
             "recovery at 1.5 times the bound and 82-85% at 2 times (N = 60-80)", sp.Tuple(
                 sp.Eq(sp.Symbol("alpha_proven"), exponential.demircigil_alpha().expr.subs(rho, sp.Rational(1, 5))),
                 sp.Eq(sp.Symbol("alpha_typical"), 2 * exponential.demircigil_alpha().expr.subs(rho, sp.Rational(1, 5))))),
    ]
    return Derivation("demircigil", "Capacity of the exponential dense memory",
                      exponential.demircigil_alpha().source, steps)


@register_derivation("ramsauer-capacity")
def ramsauer_capacity() -> Derivation:
    """Modern Hopfield capacity (Theorem 3): from the separation condition to the Lambert-W form."""
    c_f = modern.capacity_c()
    beta, K, d, p = c_f.symbols
    c, Delta, N = sp.symbols("c Delta N", positive=True)
    a = 2 / (d - 1) * (1 + sp.log(2 * beta * K**2 * p * (d - 1)))
    b = 2 * K**2 * beta / 5
    M2 = K**2 * (d - 1)
    N_of_c = sp.sqrt(p) * c ** ((d - 1) / 4)
    cond = 1 + sp.log(2 * N_of_c**2 * beta * M2)
    cond_c = sp.expand(sp.expand_log(2 / (d - 1) * cond, force=True))
    W = sp.LambertW(sp.exp(a) * b)
    sol = b / W
    w = sp.Symbol("W", positive=True)  # W e^W = b e^a, so ln W = ln b + a - W
    resid = sp.simplify(sp.expand_log((b / w) * (a + sp.log(b) - (sp.log(b) + a - w)) - b, force=True))
    steps = [
        Step("Fixed point near x_i (Theorem 4) if beta Delta_i >= 2/N + ln(2 (N-1) N beta M^2); since 2/N <= 1 "
             "and (N-1) N < N^2 it suffices that", sp.Ge(beta * Delta, 1 + sp.log(2 * N**2 * beta * sp.Symbol("M") ** 2))),
        Step("Patterns on the sphere of radius M = K sqrt(d-1); write their number as N = sqrt(p) c^((d-1)/4)",
             sp.Eq(N, N_of_c)),
        Step("The right-hand side times 2/(d-1), expanded in logarithms", sp.Eq(sp.Symbol("rhs"), cond_c)),
        Step("which is a + ln c with", sp.Tuple(sp.Eq(sp.Symbol("a"), a),
                                                sp.Eq(sp.Symbol("difference"), sp.simplify(cond_c - a - sp.log(c)),
                                                      evaluate=False))),
        Step("The paper's geometric step: with probability >= 1 - p the N random points keep a separation "
             "Delta >= M^2/(5 c), so (2/(d-1)) beta Delta >= b/c with", sp.Eq(sp.Symbol("b"), sp.simplify(
                 2 / (d - 1) * beta * M2 / 5))),
        Step("The condition a + ln c <= b/c holds with equality at c (a + ln c) = b; its root is c = b / W0(b e^a)",
             sp.Eq(sp.Symbol("c"), sol)),
        Step("Check: c (a + ln c) - b with ln W = ln(b e^a) - W (from W e^W = b e^a)",
             sp.Eq(sp.Symbol("residual"), resid, evaluate=False)),
        Step("The theorem's c, as implemented in theory.modern.capacity_c, minus this one",
             sp.Eq(sp.Symbol("difference"), sp.simplify(c_f.expr - sol), evaluate=False)),
        Step("Condition and guarantee", sp.Tuple(
            sp.Ge(sp.Symbol("c"), (2 / sp.sqrt(p)) ** (4 / (d - 1))),
            sp.Ge(sp.Symbol("N"), sp.sqrt(p) * sp.Symbol("c") ** ((d - 1) / 4)))),
    ]
    for vals in ((1, 3, 20, sp.Rational(1, 1000)), (1, 1, 75, sp.Rational(1, 1000))):
        sub = dict(zip((beta, K, d, p), vals))
        out = modern.capacity_bound(*[float(v) for v in vals])
        steps.append(Step(f"beta={vals[0]}, K={vals[1]}, d={vals[2]}, p=1/1000",
                          sp.Tuple(sp.Eq(sp.Symbol("c"), sp.N(c_f.expr.subs(sub), 6)),
                                   sp.Eq(sp.Symbol("N_min"), sp.Float(out["N"], 4)))))
    steps.append(Step("One-step error bound (Theorem 5)", modern.retrieval_error_bound().expr))
    return Derivation("ramsauer-capacity", "Storage capacity of the modern Hopfield network", c_f.source, steps)


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
