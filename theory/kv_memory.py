"""Outer-product (Hebbian) key-value memory: readout statistics, argmax accuracy, Zipf scaling.

``W = sum_{i=1}^M v_i u_i^T`` with keys ``u_i`` and values ``v_i`` i.i.d.
``N(0, I/d)``. Querying with a stored key ``u_j`` and scoring a candidate value
``v`` gives ``v^T W u_j = sum_i (v . v_i)(u_i . u_j)``. Linear (fast-weight)
attention is this memory; softmax attention is the modern Hopfield update.

Moments (derived in :func:`readout_moments` from ``E g^2 = 1/d``,
``E g^4 = 3/d^2`` of one coordinate, for ``d`` coordinates):

* stored pair ``v_j^T W u_j``: mean 1, variance ``4/d + (M+3)/d^2``;
* another stored value ``v_b^T W u_j`` (``b != j``): mean 0, variance ``2/d + (M+2)/d^2``;
* a fresh random value: mean 0, variance ``1/d + (M+1)/d^2``.

All these scores are pairwise uncorrelated. (A commonly quoted form,
``1 +- sqrt(4/d + M/d^2)`` and ``sqrt(2/d + M/d^2)``, drops ``O(1/d^2)`` terms.)

The delta rule ``W <- W + eta (v - W k) k^T`` (:func:`delta_fixed_point`,
:func:`delta_one_pass_error`): with ``M <= d`` linearly independent keys it
converges to ``W = V K^+`` and recalls every pair exactly; one pass of the
normalised rule (``eta = 1/|k|^2``) leaves a mean squared error of about
``(M - 1)/(2 d)``.

References
----------
V. Cabannes, E. Dohmatob, A. Bietti, "Scaling laws for associative memories",
ICLR 2024, arXiv:2310.02984.
B. Widrow, M. E. Hoff, "Adaptive switching circuits", IRE WESCON Convention
Record 4, 96-104 (1960) (the delta rule); S. Kaczmarz, Bull. Int. Acad. Polon.
Sci. A 35, 355-357 (1937) (one pass of the normalised rule is Kaczmarz's method).
I. Schlag, K. Irie, J. Schmidhuber, ICML 2021, arXiv:2102.11174 (fast weights).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict

import numpy as np
import numpy.typing as npt
import sympy as sp
from scipy import integrate
from scipy.special import ndtr

from theory.derivation import Derivation, Step, register_derivation
from theory.formula import Formula, check_choice, sym, validate

__all__ = [
    "gaussian_moments",
    "readout_moments",
    "readout_mean",
    "readout_variance",
    "argmax_accuracy",
    "zipf_error_exponent",
    "zipf_sample_exponent",
    "delta_fixed_point",
    "delta_one_pass_leading",
    "delta_one_pass_error",
]

_KV = ("outer-product memory W = sum_i v_i u_i^T with N(0, I/d) embeddings; moments derived in "
       "theory.kv_memory.readout_moments")
_CDB = "Cabannes, Dohmatob, Bietti, ICLR 2024 (arXiv:2310.02984)"


@lru_cache(maxsize=None)
def gaussian_moments() -> Dict[str, sp.Expr]:
    """Moments of ``N(0, I/d)`` vectors, from the coordinate moments given by ``sympy.stats``.

    Returns ``E|v|^2``, ``E|v|^4`` and ``E(v . w)^2`` (``v``, ``w`` independent) in ``d``.
    """
    from sympy.stats import E, Normal

    d = sym("d")
    g = Normal("g", 0, 1 / sp.sqrt(d))
    m2, m4 = sp.simplify(E(g**2)), sp.simplify(E(g**4))
    return {
        "E|v|^2": sp.simplify(d * m2),
        # sum over k of g_k^4 plus the d(d-1) ordered pairs k != l of g_k^2 g_l^2
        "E|v|^4": sp.expand(d * m4 + d * (d - 1) * m2**2),
        "E(v.w)^2": sp.simplify(d * m2 * m2),
        "m2": m2,
        "m4": m4,
    }


@lru_cache(maxsize=None)
def readout_moments() -> Dict[str, sp.Expr]:
    """Mean and variance of the three kinds of scores, as expressions in ``d`` and ``M``.

    Notes
    -----
    Stored: ``|v_j|^2 |u_j|^2 + sum_{i != j} (v_j . v_i)(u_i . u_j)``; the terms are
    uncorrelated (each cross product has a lone zero-mean vector), so the variance is
    ``E|v|^4 E|u|^4 - 1 + (M-1) E(v.w)^2 E(u.w)^2``. Another stored value ``b``:
    ``|v_b|^2 (u_b . u_j) + (v_b . v_j)|u_j|^2 + (M-2)`` cross terms. Fresh value:
    ``(v . v_j)|u_j|^2 + (M-1)`` cross terms.
    """
    g = gaussian_moments()
    M = sym("M")
    v4, c2 = g["E|v|^4"], g["E(v.w)^2"]
    return {
        "stored_mean": sp.S.One * g["E|v|^2"] ** 2,
        "stored_var": sp.expand(v4 * v4 - 1 + (M - 1) * c2 * c2),
        "other_mean": sp.S.Zero,
        "other_var": sp.expand(2 * v4 * c2 + (M - 2) * c2 * c2),
        "fresh_mean": sp.S.Zero,
        "fresh_var": sp.expand(v4 * c2 + (M - 1) * c2 * c2),
    }


@lru_cache(maxsize=None)
def readout_mean(kind: str = "stored") -> Formula:
    """Mean score ``v^T W u_j`` [d, M]: 1 for the stored value, 0 otherwise."""
    check_choice(kind, "kind", ("stored", "other", "fresh"))
    d, M = sym("d"), sym("M")
    return Formula(
        name=f"kv_memory.readout_mean[{kind}]",
        expr=readout_moments()[f"{kind}_mean"],
        symbols=(d, M),
        source=_KV,
        assumptions="keys and values i.i.d. N(0, I/d); query = a stored key",
        definition=_KIND_TEXT[kind],
    )


_KIND_TEXT = {
    "stored": "score of the value stored with the query key, v_j^T W u_j",
    "other": "score of another stored value, v_b^T W u_j with b != j",
    "fresh": "score of a random value that was never stored",
}


@lru_cache(maxsize=None)
def readout_variance(kind: str = "stored") -> Formula:
    """Variance of the score ``v^T W u_j`` [d, M], exact for Gaussian embeddings.

    Examples
    --------
    >>> readout_variance().expr
    4/d + (M + 3)/d**2
    """
    check_choice(kind, "kind", ("stored", "other", "fresh"))
    d, M = sym("d"), sym("M")
    expr = readout_moments()[f"{kind}_var"]
    lead = sp.limit(expr * d, d, sp.oo)
    return Formula(
        name=f"kv_memory.readout_variance[{kind}]",
        expr=sp.Add(lead / d, sp.factor(sp.expand(expr - lead / d)), evaluate=False),
        symbols=(d, M),
        source=_KV,
        assumptions="keys and values i.i.d. N(0, I/d); query = a stored key; exact at finite d, M",
        definition="variance of the " + _KIND_TEXT[kind],
    )


def _accuracy_one(d: float, M: float, V: float, kind: str) -> float:
    s_s = np.sqrt(float(readout_variance("stored").evaluate_continuous(d=d, M=M)))
    s_o = np.sqrt(float(readout_variance(kind).evaluate_continuous(d=d, M=M)))

    def integrand(z):
        return np.exp(-z * z / 2) / np.sqrt(2 * np.pi) * ndtr((1 + s_s * z) / s_o) ** (V - 1)

    val, _ = integrate.quad(integrand, -np.inf, np.inf, epsabs=1e-12, epsrel=1e-10, limit=200)
    return val


def argmax_accuracy(d: npt.ArrayLike, M: npt.ArrayLike, V: npt.ArrayLike, kind: str = "other") -> float | np.ndarray:
    """Probability that the stored value wins the argmax over ``V`` candidates (Gaussian approximation).

    Parameters
    ----------
    d : float or array_like
        Embedding dimension, ``>= 2``.
    M : float or array_like
        Number of stored pairs, ``> 0``.
    V : float or array_like
        Number of candidates (the stored value and ``V - 1`` distractors), ``>= 2``.
    kind : {"other", "fresh"}
        Distractors are other stored values, or never-stored random vectors.

    Returns
    -------
    float or ndarray of float64 (broadcast shape)
        ``int phi(z) Phi((1 + sigma_s z)/sigma_o)^(V-1) dz`` by ``scipy.integrate.quad``,
        with the exact standard deviations of :func:`readout_variance`.

    Notes
    -----
    The scores are uncorrelated but not independent nor exactly Gaussian; the
    formula treats them as independent Gaussians. For ``V = 2`` it equals
    ``Phi(1/sqrt(sigma_s^2 + sigma_o^2))``.

    Region of validity. The distractor scores are ``v^T y`` for one shared
    readout ``y = W u_j``, so they share the fluctuation of ``|y|`` (relative
    size about ``d^-1/2``); the formula averages over it as if each score had
    its own. The error this leaves grows with the depth of the maximum over
    the ``V - 1`` distractors, and falls like ``1/d``. Measured against
    ``simulations.estimators.kv.recall_accuracy`` (300 memories a case,
    standard error <= 0.013, Hebbian memory, both kinds): at ``M = d^2/4``,
    ``d = 32``: +0.006..+0.028 for ``V = 2-8``, -0.012..-0.018 at ``V = 32``,
    -0.033..-0.036 at ``V = 128-256 = M``; ``d = 64``: within +-0.024 for
    ``V <= 8`` (within 2 se), -0.009..-0.018 at ``V = 32-128``, -0.018..-0.020
    at ``V = M = 1024``. At ``M = d^2/2``, ``d = 32``: -0.014..-0.027 for
    ``V >= 32``. So for ``V`` up to ``M`` the formula is high by about
    ``1.1/d`` (``d >= 32``, ``M/d^2`` 1/4-1/2); for ``V <= 8`` its error is
    within 0.03 at ``d = 32`` and within sampling error at ``d = 64``. At
    ``M`` of order ``d`` (not ``d^2``) it is 3-7% low (signal and noise share
    ``|u_j|^2``), and that effect reaches ``M = d^2/8``: at ``d = 64``, ``V = 8``
    the formula is low by 0.025 ("other") and 0.031 ("fresh"), 1.6-2.0/d
    (1000 memories, ``kv-argmax-accuracy`` at full size, seed 0), so the
    ``1.1/d`` law holds for ``M/d^2`` of 1/4-1/2 only
    (``tests/test_kv_argmax_candidates.py`` tests it across ``V`` at ``M = d^2/4``).

    Examples
    --------
    >>> round(float(argmax_accuracy(16, 16, 2)), 4)
    0.9173
    """
    check_choice(kind, "kind", ("other", "fresh"))
    d, M, V = validate("d", d), validate("M", M), validate("V", V)
    dd, MM, VV = np.broadcast_arrays(d, M, V)
    out = np.empty(dd.shape)
    for idx in np.ndindex(out.shape):
        out[idx] = _accuracy_one(dd[idx], MM[idx], VV[idx], kind)
    return float(out) if out.ndim == 0 else out


@lru_cache(maxsize=None)
def zipf_error_exponent(storage: str = "frequency") -> Formula:
    """Exponent ``gamma`` of the error ``~ d^(-gamma)`` for Zipf inputs ``p(x) ~ x^(-alpha)`` [alpha_zipf].

    Parameters
    ----------
    storage : {"frequency", "threshold"}
        ``"frequency"``: ``W = sum_x p(x) u_{f(x)} e_x^T`` (``q = p``); the inputs whose
        weight ``p(x) ~ x^-alpha`` is below the interference level ``d^(-1/2)``
        (``x > d^(1/(2 alpha))``) are lost: ``gamma = (alpha - 1)/(2 alpha)``.
        ``"threshold"``: only the top ``P ~ d`` inputs are stored; the error is the
        Zipf tail beyond ``d``: ``gamma = alpha - 1``.

    Examples
    --------
    >>> zipf_error_exponent("threshold").evaluate(alpha_zipf=2.0)
    1.0
    """
    check_choice(storage, "storage", ("frequency", "threshold"))
    a = sp.Symbol("alpha_zipf", positive=True)
    expr = (a - 1) / (2 * a) if storage == "frequency" else a - 1
    return Formula(
        name=f"kv_memory.zipf_error_exponent[{storage}]",
        expr=expr,
        symbols=(a,),
        source=_CDB + ", scaling laws with model size d",
        assumptions="Zipf law p(x) ~ x^-alpha, alpha > 1; infinite data; argmax readout; large d",
        definition="gamma with generalisation error ~ d^(-gamma)",
    )


@lru_cache(maxsize=None)
def zipf_sample_exponent() -> Formula:
    """Exponent of the data term ``T^(-(1 - 1/alpha))`` with ``T`` samples [alpha_zipf].

    The mass of inputs never seen in ``T`` samples, ``sum_x p(x) (1-p(x))^T``, scales as
    ``T^(-1 + 1/alpha)``.
    """
    a = sp.Symbol("alpha_zipf", positive=True)
    return Formula(
        name="kv_memory.zipf_sample_exponent",
        expr=1 - 1 / a,
        symbols=(a,),
        source=_CDB + ", scaling with the number of samples",
        assumptions="Zipf law p(x) ~ x^-alpha, alpha > 1; d large enough to store every seen input",
        definition="exponent with error ~ T^(-(1 - 1/alpha)) after T samples",
    )


_DELTA = ("delta rule W <- W + eta (v - W k) k^T (Widrow & Hoff 1960; fast weights: Schlag, Irie & Schmidhuber, "
          "ICML 2021, arXiv:2102.11174); derived in theory.kv_memory")


@lru_cache(maxsize=None)
def delta_fixed_point(d: int = 3, M: int = 2) -> Dict[str, object]:
    """The fixed point ``W = V K^+`` of the delta rule, verified on generic symbolic ``K`` (d x M), ``V`` (2 x M).

    Returns a dict of SymPy objects: the symbolic ``K``, ``V``, ``W = V (K^T K)^-1 K^T``,
    the residual ``W K - V`` (simplified: the zero matrix), ``K^+ - (K^T K)^-1 K^T``
    (zero: the pseudo-inverse of a full-column-rank ``K``), and the per-step
    contraction factor ``1 - eta |k|^2`` of the error along ``k``.

    Notes
    -----
    The summed update vanishes when ``sum_i (v_i - W k_i) k_i^T = 0``, i.e. ``W K K^T = V K^T``.
    From ``W = 0`` every update adds rows in the span of the keys, so ``W = A K^T``;
    then ``A (K^T K) K^T = V K^T`` and, ``K^T K`` being invertible for independent keys,
    ``W = V (K^T K)^-1 K^T = V K^+``: ``W k_i = v_i`` for all ``i``. With ``W* = V K^+``
    the error ``E = W - W*`` obeys ``E <- E (I - eta k k^T)`` (as ``v = W* k``), which
    contracts along ``k`` iff ``|1 - eta |k|^2| < 1``, i.e. ``0 < eta < 2/|k|^2``.

    Examples
    --------
    >>> fp = delta_fixed_point()
    >>> fp["residual"].is_zero_matrix
    True
    """
    K = sp.Matrix(d, M, lambda i, j: sp.Symbol(f"k{i + 1}{j + 1}", real=True))
    Vm = sp.Matrix(2, M, lambda i, j: sp.Symbol(f"v{i + 1}{j + 1}", real=True))
    W = Vm * (K.T * K).inv() * K.T
    eta, k2 = sp.Symbol("eta", positive=True), sp.Symbol("|k|^2", positive=True)
    return {
        "K": K,
        "V": Vm,
        "W": W,
        "residual": sp.simplify(W * K - Vm),
        "pinv_check": sp.simplify(K.pinv() - (K.T * K).inv() * K.T),
        "contraction": 1 - eta * k2,
        "stable": sp.And(eta > 0, eta < 2 / k2),
    }


@lru_cache(maxsize=None)
def delta_one_pass_leading() -> Formula:
    """Leading order of the mean squared recall error after one pass of the normalised delta rule [d, M].

    Notes
    -----
    With ``eta_t = 1/|k_t|^2`` the write of pair ``t`` makes ``W k_t = v_t``; the later
    write of pair ``t' > t`` moves the read of ``k_t`` by ``s_t' c`` with the surprise
    ``s_t' = v_t' - W k_t'`` (``|s|^2 ~ 1``) and ``c = k_t' . k_t / |k_t'|^2``
    (``E c^2 ~ 1/d``). Key ``j`` collects ``M - j`` such kicks, ``(M - j)/d``; the mean
    over ``j`` is ``(M - 1)/(2 d)``. Keys and values i.i.d. ``N(0, I/d)``.

    Examples
    --------
    >>> delta_one_pass_leading().evaluate(d=64, M=33)
    0.25
    """
    d, M = sym("d"), sym("M")
    return Formula(
        name="kv_memory.delta_one_pass_leading",
        expr=(M - 1) / (2 * d),
        symbols=(d, M),
        source=_DELTA,
        assumptions="keys and values i.i.d. N(0, I/d); eta = 1/|k|^2; one pass in order; M << d",
        definition="mean over the stored keys of |W k_j - v_j|^2 after one pass",
    )


def delta_one_pass_error(d: npt.ArrayLike, M: npt.ArrayLike) -> float | np.ndarray:
    """Mean squared recall error after one pass of the normalised delta rule: a mean-field recursion.

    Parameters
    ----------
    d : int or array_like, > 2
        Key and value dimension.
    M : int or array_like, >= 1
        Pairs written, in order, with ``eta_t = 1/|k_t|^2``.

    Returns
    -------
    float or ndarray of float64
        ``(1/M) sum_j e_M(j)`` with, for ``t > j``,
        ``e_t(j) = (1 - 2/d) e_{t-1}(j) + (1 + F_{t-1}/d)/(d - 2) + 2 (t - 1 - j)/d^2``,
        ``e_j(j) = 0``, and ``F_t = (1 - 1/d) F_{t-1} + d/(d - 2)`` (``F_0 = 0``), the
        mean squared Frobenius norm of ``W``.

    Notes
    -----
    The residual ``R_t(j) = W_t k_j - v_j`` obeys ``R_t = R_{t-1} + c_tj s_t``
    (``s_t = v_t - W_{t-1} k_t``, ``c_tj = k_t . k_j / |k_t|^2``). Averaging over the
    fresh key ``k_t`` (``E k k^T/|k|^2 = I/d``, ``E 1/|k|^2 = d/(d-2)``) gives
    ``E|s_t|^2 = 1 + F_{t-1}/d``, ``E c^2 = 1/(d-2)`` and the cross term
    ``-(2/d)(E|R|^2 + E R . v_j)`` with ``E R . v_j ~ -(t - 1 - j)/d``; correlations
    between ``|s_t|^2`` and ``c_tj^2`` are dropped (relative error ``O((M/d)^2)``:
    within 2% of simulation for ``M <= d/2`` at d = 64 and 256, 8% high at ``M = d``).
    For ``M << d`` it reduces to :func:`delta_one_pass_leading`.

    Examples
    --------
    >>> round(float(delta_one_pass_error(256, 16)), 4)
    0.0307
    """
    d, M = validate("d", d), validate("M", M)
    dd, MM = np.broadcast_arrays(np.asarray(d, dtype=np.float64), np.asarray(M, dtype=np.float64))
    out = np.empty(dd.shape)
    for idx in np.ndindex(out.shape):
        dv, Mv = float(dd[idx]), int(MM[idx])
        if dv <= 2 or Mv < 1 or Mv != MM[idx]:
            raise ValueError(f"delta_one_pass_error needs d > 2 and an integer M >= 1, got d={dv}, M={MM[idx]}")
        j = np.arange(1, Mv + 1, dtype=np.float64)
        e = np.zeros(Mv)
        F = 0.0
        for t in range(1, Mv + 1):
            live = j < t
            e[live] = (1 - 2 / dv) * e[live] + (1 + F / dv) / (dv - 2) + 2 * (t - 1 - j[live]) / dv**2
            F = (1 - 1 / dv) * F + dv / (dv - 2)
        out[idx] = e.mean()
    return float(out) if out.ndim == 0 else out


@register_derivation("kv-delta-fixed-point")
def _derive_delta_fixed_point() -> Derivation:
    """Delta rule: the projection solution W = V K^+ and the stability range of eta."""
    fp = delta_fixed_point()
    W, K, Vm = sp.MatrixSymbol("W", 2, 3), sp.MatrixSymbol("K", 3, 2), sp.MatrixSymbol("V", 2, 2)
    steps = [
        Step("Fixed point of the summed update sum_i (v_i - W k_i) k_i^T = 0 (keys as columns of K)",
             sp.Eq(W * K * K.T, Vm * K.T)),
        Step("From W = 0 every write adds rows in the span of the keys: W = A K^T; for independent keys "
             "K^T K is invertible and", sp.Eq(W, Vm * (K.T * K).I * K.T)),
        Step("Residual W K - V for a generic symbolic 3 x 2 K, simplified (exact recall of every pair)",
             fp["residual"]),
        Step("K^+ - (K^T K)^-1 K^T, simplified: W = V K^+", fp["pinv_check"]),
        Step("Error E = W - V K^+ obeys E <- E (I - eta k k^T): factor along k", fp["contraction"]),
        Step("Contraction |1 - eta |k|^2| < 1 iff", fp["stable"]),
        Step("One pass of the normalised rule (eta = 1/|k|^2), keys and values N(0, I/d): leading mean "
             "squared error", sp.Eq(sp.Symbol("epsilon_1"), delta_one_pass_leading().expr)),
    ]
    return Derivation("kv-delta-fixed-point", "Delta-rule key-value memory: fixed point and stability", _DELTA,
                      steps)
