"""Closed-form logits of the two-layer induction-head transformer built from associative memories.

Derived in amlab (the theorems of Wang & Sato 2024 were not available to us);
the model is the one of ``hopfield.induction`` (Bietti et al. 2023 memories and
a feed-forward bigram memory), restated here so that ``theory`` stands alone.

Setting. Tokens ``z_1..z_t``, query ``q = z_t``. Over the ``t`` positions ``s``
(the first counts as its own predecessor): ``n_q`` positions are preceded by
``q``; ``c`` (= ``c_{q->k}``) of them hold ``k``; ``cbar`` (= ``cbar_k``) positions
hold ``k`` without being preceded by ``q``; ``ell`` = ``log pi_b(k | q)``.

Assumptions, in order:

A1 (orthonormal idealisation). All embeddings ``w_E(i)``, ``w_U(j)``, ``p_t``,
   ``w_1(i) = W_OV^1 w_E(i)``, ``W_V^2 w_E(i)`` have unit norm; inner products
   between different ones are 0.
A2 (hard previous-token head). ``beta1 -> infinity``: layer 1 at ``s`` attends
   only to ``s - 1`` (APE: ``p_t^T W_K^1 p_s = [s = t-1]`` under A1; RPE: the
   offset-1 score wins by construction).
A3. The feed-forward memory stores ``alpha_ij = log pi_b(j|i) - r_i`` with any row
   constant ``r_i``; it shifts all logits of a position equally and is dropped.

Result (:func:`logits`)::

    xi_t(k) = beta_O (e^beta2 c + cbar) / (e^beta2 n_q + t - n_q) + gamma ell + const_t.

Corrections (A1 dropped, embeddings i.i.d. ``N(0, I/d)``): every neglected term
is a finite sum (its number of terms independent of ``d``) of inner products of
independent vectors, each of standard deviation ``d^(-1/2)``, and of products
of two or more of them (``O(1/d)``); the exponentials of the layer-2 scores are
expanded to first order. Hence the deviation of a simulated logit from the
closed form has a standard deviation ``C d^(-1/2) + O(1/d)`` at fixed ``V``,
``t``, counts and scales (:func:`deviation_exponent`).

Previous-token recall with APE: ``W_K^1 = sum_u p_u p_{u-1}^T`` is an outer-product
key-value memory with ``M = T - 1`` pairs, so the score of the previous position
and of every other position have the variances of
``theory.kv_memory.readout_variance`` (``4/d + (M+3)/d^2`` and
``2/d + (M+2)/d^2``); the recall (:func:`prev_token_recall_ape`) averages the
Gaussian argmax accuracy over the ``t + 1`` candidates of each position. With
RPE the score of offset ``delta`` is ``r_1^T r_delta``: variance ``1/d`` for
every competitor, independent of ``T`` (:func:`prev_token_recall_rpe`).

References
----------
A. Bietti, V. Cabannes, D. Bouchacourt, H. Jegou, L. Bottou, "Birth of a
Transformer: A Memory Viewpoint", NeurIPS 2023 (arXiv:2306.00802), Sec. 5.
J. Wang, I. Sato, "Rethinking associative memory mechanism in induction head",
COLM 2025 (arXiv:2412.11459).
V. Cabannes, E. Dohmatob, A. Bietti, "Scaling laws for associative memories",
ICLR 2024 (arXiv:2310.02984) (the outer-product memory moments).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict

import numpy as np
import numpy.typing as npt
import sympy as sp
from scipy import integrate, stats
from scipy.special import ndtr

from theory import kv_memory
from theory.derivation import Derivation, Named, Step, register_derivation
from theory.formula import Formula, sym, validate

__all__ = ["symbols", "derive", "logits", "logits_beta2_limit", "logits_dilute", "logit_gap", "flip_gamma",
           "flip_count", "deviation_exponent", "prev_token_variances", "prev_token_recall_ape",
           "prev_token_recall_rpe", "rpe_all_positions", "SOURCE"]

SOURCE = ("derived in amlab (orthonormal idealisation of the associative-memory transformer of "
          "Bietti et al. 2023, arXiv:2306.00802, Sec. 5; setting of Wang & Sato 2024, arXiv:2412.11459)")
_ASSUME = ("A1 orthonormal embeddings; A2 beta1 -> infinity (hard previous-token head); A3 row constants "
           "of the bigram memory dropped; first position counts as its own predecessor; "
           "corrections O(d^-1/2) for N(0, I/d) embeddings")


@lru_cache(maxsize=None)
def symbols() -> Dict[str, sp.Symbol]:
    """The symbols: scales, counts, ``t``, ``ell = log pi_b(k|q)`` (and ``ell_g``, ``m``)."""
    pos = dict(positive=True)
    nn = dict(nonnegative=True)
    return {
        "beta2": sp.Symbol("beta2", **pos), "beta_O": sp.Symbol("beta_O", **pos),
        "gamma": sp.Symbol("gamma", **nn), "c": sp.Symbol("c", **nn), "cbar": sp.Symbol("cbar", **nn),
        "n_q": sp.Symbol("n_q", **pos), "t": sp.Symbol("t", **pos), "ell": sp.Symbol("ell", real=True),
        "ell_g": sp.Symbol("ell_g", real=True), "cbar_g": sp.Symbol("cbar_g", **nn),
        "m": sp.Symbol("m", **nn), "Delta": sp.Symbol("Delta", **pos), "d": sym("d"),
    }


@lru_cache(maxsize=None)
def derive() -> Dict[str, object]:
    """The derivation under A1-A3, step by step (each entry a SymPy object).

    The layer-2 attention of the query on position ``s`` is written with the
    indicator ``a_s = [z_{s-1} = q]`` and the copied token ``b_s = [z_s = k]``;
    summing over positions groups them into the counts: ``sum_s a_s b_s = c``,
    ``sum_s (1 - a_s) b_s = cbar``, ``sum_s a_s = n_q``.
    """
    S = symbols()
    b2, bO, g, c, cb, nq, t, ell = (S[k] for k in ("beta2", "beta_O", "gamma", "c", "cbar", "n_q", "t", "ell"))
    a, b = sp.symbols("a_s b_s", nonnegative=True)
    weight = sp.exp(b2 * a)  # unnormalised layer-2 weight of position s
    Z = weight.subs(a, 1) * nq + weight.subs(a, 0) * (t - nq)  # sum over s of weight
    copy = weight * b  # what position s adds to w_U(k)^T (copy output), before normalisation
    numer = copy.subs({a: 1, b: 1}) * c + copy.subs({a: 0, b: 1}) * cb
    xi = bO * numer / Z + g * ell
    steps = {
        "layer1": sp.Eq(Named("p_t^T W_K1 p_s", r"p_t^{T} W_{K1} p_s"), sp.KroneckerDelta(sp.Symbol("s"), sp.Symbol("t") - 1)),
        "layer2_score": sp.Eq(Named("w_E(q)^T W_K2 h1_s", r"w_E(q)^{T} W_{K2} h^{(1)}_s"), a),
        "weight": sp.Eq(sp.Symbol("omega_s"), weight),
        "Z": sp.Eq(sp.Symbol("Z"), Z),
        "copy": sp.Eq(Named("w_U(k)^T W_O2 W_V2 h1_s", r"w_U(k)^{T} W_{O2} W_{V2} h^{(1)}_s"), b),
        "numer": sp.Eq(Named("sum_s omega_s b_s", r"\sum_s \omega_s b_s"), numer),
        "ffn": sp.Eq(Named("w_U(k)^T W_F h1_t", r"w_U(k)^{T} W_F h^{(1)}_t"), ell),
        "xi": xi,
    }
    return steps


def _F(name, expr, syms, definition, assumptions=_ASSUME, integer=()):
    return Formula(name=f"induction.{name}", expr=expr, symbols=tuple(syms), source=SOURCE,
                   assumptions=assumptions, definition=definition, integer_args=tuple(integer))


@lru_cache(maxsize=None)
def logits() -> Formula:
    """Logit ``xi_t(k)`` of token ``k`` at the query (up to a ``k``-independent constant).

    ``xi = beta_O (e^beta2 c + cbar)/(e^beta2 n_q + t - n_q) + gamma ell``.

    Examples
    --------
    >>> f = logits()
    >>> round(f.evaluate(beta2=0.0001, beta_O=1, gamma=0, c=1, cbar=3, n_q=2, t=8, ell=-1), 3)
    0.5
    """
    S = symbols()
    return _F("logits", derive()["xi"],
              [S[k] for k in ("beta2", "beta_O", "gamma", "c", "cbar", "n_q", "t", "ell")],
              "logit of token k at the last position (query q), up to a constant common to all k")


@lru_cache(maxsize=None)
def logits_beta2_limit() -> Formula:
    """``beta2 -> infinity``: the in-context conditional bigram ``beta_O c/n_q + gamma ell``.

    Examples
    --------
    >>> logits_beta2_limit().expr
    beta_O*c/n_q + ell*gamma
    """
    S = symbols()
    expr = sp.expand(sp.limit(logits().expr, S["beta2"], sp.oo))
    return _F("logits_beta2_limit", expr, [S[k] for k in ("beta_O", "gamma", "c", "n_q", "ell")],
              "logit as beta2 -> infinity: beta_O times the in-context conditional bigram c_{q->k}/n_q")


@lru_cache(maxsize=None)
def logits_dilute() -> Formula:
    """Leading order for ``t >> e^beta2 n_q``: ``beta_O (e^beta2 c + cbar)/t + gamma ell``.

    The in-context part becomes ``beta_O`` times a weighted in-context unigram
    frequency of ``k`` and vanishes like ``1/t``: the global bigram takes over.
    For ``e^beta2 c << cbar`` it is the plain in-context unigram ``cbar/t``.
    """
    S = symbols()
    t, u = S["t"], sp.Symbol("u", positive=True)  # u = 1/t
    ic = logits().expr - S["gamma"] * S["ell"]
    lead = sp.series(ic.subs(t, 1 / u), u, 0, 2).removeO().subs(u, 1 / t)
    expr = sp.simplify(lead) + S["gamma"] * S["ell"]
    return _F("logits_dilute", expr, [S[k] for k in ("beta2", "beta_O", "gamma", "c", "cbar", "t", "ell")],
              "logit for t >> e^beta2 n_q (first order in 1/t)")


@lru_cache(maxsize=None)
def logit_gap() -> Formula:
    """``xi(k) - xi(g)`` for an in-context successor ``k`` and the global answer ``g``.

    ``g`` never follows ``q`` in context (``c_g = 0``) and occurs ``cbar_g``
    times; ``Delta = log pi_b(g|q) - log pi_b(k|q) > 0``. The in-context answer
    wins when the gap is positive.
    """
    S = symbols()
    xi = logits().expr
    gap = xi - xi.subs({S["c"]: 0, S["cbar"]: S["cbar_g"], S["ell"]: S["ell"] + S["Delta"]})
    return _F("logit_gap", sp.simplify(gap),
              [S[k] for k in ("beta2", "beta_O", "gamma", "c", "cbar", "cbar_g", "n_q", "t", "Delta")],
              "xi(k) - xi(g): positive when the in-context successor beats the global bigram answer")


@lru_cache(maxsize=None)
def flip_gamma() -> Formula:
    """The feed-forward scale at which the two answers tie: the in-context one wins for ``gamma < gamma*``.

    Examples
    --------
    >>> f = flip_gamma()
    >>> round(f.evaluate(beta2=2, beta_O=1, c=2, cbar=0, cbar_g=0, n_q=2, t=20, Delta=1), 4)
    0.4509
    """
    S = symbols()
    sol = sp.solve(sp.Eq(logit_gap().expr, 0), S["gamma"])
    return _F("flip_gamma", sp.simplify(sol[0]),
              [S[k] for k in ("beta2", "beta_O", "c", "cbar", "cbar_g", "n_q", "t", "Delta")],
              "gamma* with xi(k) = xi(g); the in-context answer wins for gamma < gamma*")


@lru_cache(maxsize=None)
def flip_count() -> Formula:
    """The count ``c*`` (in-context ``q -> k`` repetitions) above which ``k`` beats ``g``.

    Designed prompt: ``n_q = c + m`` (``m`` occurrences of ``q`` followed by
    fillers), ``cbar_g = 0``. Valid when the denominator
    ``beta_O e^beta2 - gamma Delta (e^beta2 - 1)`` is positive; otherwise the
    in-context answer never wins.
    """
    S = symbols()
    gap = logit_gap().expr.subs({S["cbar_g"]: 0, S["n_q"]: S["c"] + S["m"]})
    sol = sp.solve(sp.Eq(sp.numer(sp.together(gap)), 0), S["c"])
    return _F("flip_count", sp.simplify(sol[0]),
              [S[k] for k in ("beta2", "beta_O", "gamma", "cbar", "m", "t", "Delta")],
              "real count c* at which xi(k) = xi(g); k wins for c > c*")


@lru_cache(maxsize=None)
def deviation_exponent() -> Formula:
    """Exponent of ``d`` in the standard deviation of the logit deviation: ``-1/2``.

    From ``E (v.w)^2 = 1/d`` for independent ``N(0, I/d)`` vectors
    (``theory.kv_memory.gaussian_moments``): ``d log sqrt(E (v.w)^2) / d log d``.

    Examples
    --------
    >>> deviation_exponent().evaluate()
    -0.5
    """
    d = sym("d")
    sd = sp.sqrt(kv_memory.gaussian_moments()["E(v.w)^2"])
    expr = sp.simplify(sp.diff(sp.log(sd), d) * d)
    return Formula("induction.deviation_exponent", expr, (), SOURCE,
                   "first-order crosstalk of N(0, I/d) embeddings; fixed V, t, counts and scales",
                   "slope of log sd(xi_simulated - xi_closed_form) against log d")


def prev_token_variances() -> Dict[str, Formula]:
    """Score variances of the previous-token head: APE (grow with ``T``) and RPE (do not).

    APE: ``kv_memory.readout_variance`` with ``M = T - 1`` ("stored": the previous
    position; "other": any other position). RPE: signal ``|r_1|^2`` with
    variance ``2/d``, competitor ``r_1^T r_delta`` with variance ``1/d``.
    """
    d, T = sym("d"), sym("T")
    out = {}
    for kind, key in (("stored", "ape_signal"), ("other", "ape_other")):
        f = kv_memory.readout_variance(kind)
        out[key] = Formula(f"induction.prev_token_variance[{key}]", f.expr.subs(sym("M"), T - 1), (d, T), SOURCE,
                           "p ~ N(0, I/d); W_K1 = sum_{u=1}^{T-1} p_u p_{u-1}^T", f.definition)
    g = kv_memory.gaussian_moments()
    out["rpe_signal"] = Formula("induction.prev_token_variance[rpe_signal]", sp.expand(g["E|v|^4"] - 1), (d,),
                                SOURCE, "r ~ N(0, I/d)", "variance of r_1^T r_1")
    out["rpe_other"] = Formula("induction.prev_token_variance[rpe_other]", g["E(v.w)^2"], (d,), SOURCE,
                               "r ~ N(0, I/d)", "variance of r_1^T r_delta, delta != 1")
    return out


def _over_grid(d, T, one):
    """``one(d, T)`` at every point of the broadcast grid of ``d`` and integer ``T >= 2``."""
    d, T = validate("d", d), validate("T", T, integer=True)
    if np.any(T < 2):
        raise ValueError(f"T must be >= 2, got {T[T < 2].ravel()[0]:g}")
    dd, TT = np.broadcast_arrays(d, T)
    out = np.empty(dd.shape)
    for idx in np.ndindex(out.shape):
        out[idx] = one(float(dd[idx]), int(TT[idx]))
    return float(out) if out.ndim == 0 else out


def _ape_one(d, T):
    s_s = np.sqrt(float(prev_token_variances()["ape_signal"].evaluate(d=d, T=T)))
    s_o = np.sqrt(float(prev_token_variances()["ape_other"].evaluate(d=d, T=T)))
    z, w = np.polynomial.hermite_e.hermegauss(80)
    w = w / w.sum()
    # position t has t competitors (s = 0..t, s != t-1); average over t = 1..T-1
    t = np.arange(1, int(T))
    base = ndtr((1 + s_s * z) / s_o)  # (nodes,)
    with np.errstate(divide="ignore"):
        logb = np.log(np.maximum(base, 1e-300))
    return float(np.mean(np.exp(np.outer(t, logb)) @ w))


def prev_token_recall_ape(d: npt.ArrayLike, T: npt.ArrayLike) -> float | np.ndarray:
    """Fraction of positions whose previous-token score is the largest, APE (Gaussian approximation).

    ``(1/(T-1)) sum_{t=1}^{T-1} int phi(z) Phi((1 + sigma_s z)/sigma_o)^t dz`` with
    ``sigma_s^2``, ``sigma_o^2`` from :func:`prev_token_variances` (``M = T - 1``
    stored pairs; position ``t`` has ``t`` competitors); competitors treated as
    independent Gaussians.

    Parameters
    ----------
    d, T : float or array_like
        Dimension (>= 2) and sequence length = number of positions (>= 2).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(prev_token_recall_ape(64, 256), 2)
    0.73
    """
    return _over_grid(d, T, _ape_one)


def _rpe_one(d, T, last_only=False):
    t = np.arange(1, int(T))[-1:] if last_only else np.arange(1, int(T))

    def integrand(y):  # y = d |r_1|^2 ~ chi2_d; competitors N(0, |r_1|^2/d): P(all < |r_1|^2)
        r = np.sqrt(y / d)
        return stats.chi2.pdf(y, d) * np.mean(ndtr(np.sqrt(d) * r) ** t)

    half = 12 * np.sqrt(2 * d)  # chi2_d has sd sqrt(2 d): 12 sd either side hold all but ~1e-30
    lo, hi = max(0.0, d - half), d + half
    val, _ = integrate.quad(integrand, lo, hi, limit=200, epsabs=1e-13, epsrel=1e-12)
    return float(val / (stats.chi2.cdf(hi, d) - stats.chi2.cdf(lo, d)))


def prev_token_recall_rpe(d: npt.ArrayLike, T: npt.ArrayLike) -> float | np.ndarray:
    """Previous-token recall with RPE: ``E[Phi(sqrt(d) |r_1|)^t]`` averaged over ``t = 1..T-1``.

    Exact for Gaussian relative vectors (given ``r_1`` the competitors
    ``r_1^T r_delta`` are i.i.d. ``N(0, |r_1|^2/d)``); it depends on ``T`` only
    through the number of competitors, and is ``1 - O(T e^(-d/2))``.

    Examples
    --------
    >>> prev_token_recall_rpe(64, 4096) > 1 - 1e-6
    True
    """
    return _over_grid(d, T, _rpe_one)


@register_derivation("induction-logits")
def derivation() -> Derivation:
    """``amlab derive induction-logits``: the closed-form logits, their limits, the flip and the corrections."""
    S = symbols()
    st = derive()
    var = prev_token_variances()
    T = sym("T")
    steps = [
        Step("A1 (orthonormal idealisation): unit embeddings w_E, w_U, p_t, w_1 = W_OV1 w_E, W_V2 w_E, "
             "pairwise orthogonal. A2: beta1 -> infinity. Layer-1 score of APE, "
             "p_t^T (sum_u p_u p_(u-1)^T) p_s = sum_u [t = u][u - 1 = s]", st["layer1"]),
        Step("So h1_s = x_s + w_1(z_(s-1)). Layer-2 score of the query q = z_t on s: "
             "w_E(q)^T (sum_k w_E(k) w_1(k)^T) h1_s = [z_(s-1) = q] =: a_s", st["layer2_score"]),
        Step("Unnormalised layer-2 weight of position s (scale beta2)", st["weight"]),
        Step("Normaliser: n_q positions with a_s = 1, t - n_q with a_s = 0", st["Z"]),
        Step("Copy memory: w_U(k)^T (sum_j w_U(j) (W_V2 w_E(j))^T) W_V2 h1_s = [z_s = k] =: b_s", st["copy"]),
        Step("Sum over s of omega_s b_s: c positions with a_s = b_s = 1, cbar with a_s = 0, b_s = 1",
             st["numer"]),
        Step("Feed-forward memory (A3: row constants dropped): w_U(k)^T W_F h1_t = log pi_b(k|q) =: ell",
             st["ffn"]),
        Step("Logit of k (up to a constant common to all k), derived in amlab",
             sp.Eq(Named("xi_t(k)", r"\xi_t(k)"), logits().expr)),
        Step("Limit beta2 -> infinity: the in-context conditional bigram c_(q->k)/n_q",
             sp.Eq(Named("xi_inf(k)", r"\xi_{\infty}(k)"), logits_beta2_limit().expr)),
        Step("t >> e^beta2 n_q (first order in 1/t): the in-context part is diluted like 1/t "
             "(for e^beta2 c << cbar: beta_O times the in-context unigram frequency cbar/t)",
             sp.Eq(Named("xi_dilute(k)", r"\xi_{\mathrm{dilute}}(k)"), logits_dilute().expr)),
        Step("Gap to the global answer g (c_g = 0, cbar_g occurrences, Delta = log pi_b(g|q) - log pi_b(k|q))",
             sp.Eq(Named("xi(k) - xi(g)", r"\xi(k) - \xi(g)"), logit_gap().expr)),
        Step("The in-context answer wins iff gamma < gamma*", sp.Eq(Named("gamma*", r"\gamma^{*}"), flip_gamma().expr)),
        Step("Designed prompt n_q = c + m, cbar_g = 0: it wins iff c > c* (when the denominator is > 0)",
             sp.Eq(Named("c*", r"c^{*}"), flip_count().expr)),
        Step("Corrections (A1 dropped, N(0, I/d) embeddings): every neglected term is a bounded sum of inner "
             "products v.w with E(v.w)^2 = 1/d, to first order; slope of log sd against log d",
             sp.Eq(Named("d log sd/d log d", r"\frac{d \log \mathrm{sd}}{d \log d}"), deviation_exponent().expr)),
        Step("APE previous-token head is an outer-product memory with M = T - 1 pairs: variance of the "
             "previous position's score and of any other position's score (grow with T)",
             sp.Tuple(sp.Eq(sp.Symbol("sigma_s^2"), var["ape_signal"].expr),
                      sp.Eq(sp.Symbol("sigma_o^2"), var["ape_other"].expr))),
        Step("RPE: score r_1^T r_(t-s) depends on the offset only: variances independent of T",
             sp.Tuple(sp.Eq(sp.Symbol("sigma_s^2"), var["rpe_signal"].expr),
                      sp.Eq(sp.Symbol("sigma_o^2"), var["rpe_other"].expr))),
        Step("Each stored pair adds 1/d^2 to sigma_o^2: for T > 2d the stored pairs dominate, and APE "
             "recall is lost once sigma_o sqrt(2 log T) approaches the signal 1", sp.Eq(Named("d sigma_o^2/dT", r"\frac{d \sigma_o^2}{dT}"),
                                                         sp.diff(var["ape_other"].expr, T))),
    ]
    return Derivation("induction-logits", "Logits of the two-layer induction-head transformer built from "
                      "associative memories (derived in amlab)", SOURCE, steps)


def rpe_all_positions(d: npt.ArrayLike, T: npt.ArrayLike) -> float | np.ndarray:
    """Probability that an RPE previous-token head is right at every position ``t = 1..T-1``.

    The offset-1 score must beat the ``T - 1`` offsets ``0, 2, ..., T - 1``:
    ``E[Phi(sqrt(d) |r_1|)^(T-1)]`` with ``d |r_1|^2 ~ chi2_d``; exact for Gaussian
    relative vectors (one draw of them per model).

    Examples
    --------
    >>> round(rpe_all_positions(16, 256), 3)
    0.919
    """
    return _over_grid(d, T, lambda d_, T_: _rpe_one(d_, T_, last_only=True))
