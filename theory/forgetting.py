"""Key-value memories that forget: recall versus the age of a pair, the best decay, the retrievable window.

The decaying Hebbian memory (scalar decay of RetNet and Mamba-2) after ``L`` writes is
``W = sum_{i} lam^(a_i) v_i u_i^T`` with ages ``a_i = 0..L-1`` (the newest pair has age 0)
and keys and values i.i.d. ``N(0, I/d)`` as in :mod:`theory.kv_memory`. Querying with the
key of the pair of age ``a`` and scoring the stored value gives
``lam^a |v|^2 |u|^2 + sum_{i != j} lam^(a_i) (v_j . v_i)(u_i . u_j)``: mean ``lam^a``; every
other pair adds ``lam^(2 a_i)`` times the single-pair crosstalk variance ``1/d^2`` of
:func:`theory.kv_memory.readout_moments`. Hence (:func:`score_variance`, exact at finite ``d``):

* stored value: ``lam^(2a) (4/d + 4/d^2) + C/d^2``;
* a fresh (never stored) value: ``lam^(2a) (1/d + 2/d^2) + C/d^2``;

with ``C = sum_{i != j} lam^(2 a_i) = (1 - lam^(2L))/(1 - lam^2) - lam^(2a)`` (finite ``L``) or
``1/(1 - lam^2) - lam^(2a)`` (stationary, ``L -> inf``). At ``lam = 1`` they are the
outer-product memory's ``4/d + (M+3)/d^2`` and ``1/d + (M+1)/d^2`` with ``M = L``.

The stationary SNR ``lam^(2a) / (sigma_s^2 + sigma_f^2)`` falls to a threshold ``theta`` at the
age :func:`window`; it is largest at the decay :func:`optimal_decay`, whose leading order is
``1 - lam*^2 = 2 e theta / (d^2 B)`` with window ``d^2 B / (2 e theta)``, ``B = 1 - theta (5/d + 4/d^2)``:
a memory of ``d^2`` floats keeps of order ``d^2`` recent pairs, at a decay ``1 - O(1/d^2)``.

The gated delta rule ``W <- a W (I - b k k^T) + b v k^T`` (:func:`gated_delta_fixed_point`,
:func:`gated_delta_signal`): with orthonormal keys written in a cycle of ``M`` the read of a
key right after its write is exactly ``b v / (1 - a^M (1 - b))``; with random keys (``d >> 1``,
``b = 1/|k|^2``) its signal decays as ``(a (1 - 1/d))^age`` exactly (``E k k^T/|k|^2 = I/d``), and
:func:`gated_delta_moments` gives the mean and the variances of the stored and of a fresh value's
score by age, exactly at finite ``d``, for a constant rate ``b`` or the normalised ``b = 1/|k|^2``:
each later write adds crosstalk ``a^2 E b^2 (W^T v . k)^2 (k . u)^2 + E b^2 (v_t . v)^2 (k . u)^2``,
summed with the decays of the second moments (:func:`gated_delta_moments`' Notes).

References
----------
Y. Sun et al., arXiv:2307.08621 (RetNet); T. Dao, A. Gu, ICML 2024, arXiv:2405.21060 (Mamba-2);
S. Yang, J. Kautz, A. Hatamizadeh, ICLR 2025, arXiv:2412.06464 (Gated DeltaNet).
J.-P. Nadal, G. Toulouse, J.-P. Changeux, S. Dehaene, Europhys. Lett. 1, 535 (1986) and
M. Mezard, J.-P. Nadal, G. Toulouse, J. Physique 47, 1457 (1986) (palimpsests: a memory that
keeps learning must forget; the same signal-to-noise route for binary networks).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict

import numpy as np
import numpy.typing as npt
import sympy as sp
from scipy import integrate, optimize
from scipy.special import ndtr

from theory.derivation import Derivation, Step, register_derivation
from theory.formula import Formula, check_choice, sym, validate
from theory.kv_memory import gaussian_moments

__all__ = [
    "crosstalk_weight",
    "score_variance",
    "snr",
    "recall_accuracy",
    "window",
    "retrievable_pairs",
    "optimal_decay",
    "optimal_decay_leading",
    "gated_delta_fixed_point",
    "gated_delta_signal",
    "gated_delta_moments",
    "gated_delta_accuracy",
    "mqar_crosstalk_weight",
    "mqar_score_variance",
    "mqar_accuracy",
    "mqar_gaussian_error",
    "mqar_error_bound",
    "gated_delta_write_weight",
    "gated_delta_mqar_accuracy",
]

_SRC = ("decaying outer-product memory W = sum_i lam^(a_i) v_i u_i^T (scalar decay: RetNet, Sun et al. 2023, "
        "arXiv:2307.08621; Mamba-2, Dao & Gu, ICML 2024); crosstalk summed with the decay weights, derived in "
        "theory.forgetting (signal-to-noise route of Nadal, Toulouse, Changeux & Dehaene 1986)")
_GDN = ("gated delta rule W <- a W (I - b k k^T) + b v k^T (Yang, Kautz & Hatamizadeh, ICLR 2025, "
        "arXiv:2412.06464); derived in theory.forgetting")
_HORIZONS = ("finite", "stationary")


def _symbols():
    return (sym("d"), sp.Symbol("lam", positive=True), sp.Symbol("age", nonnegative=True),
            sp.Symbol("L", positive=True), sp.Symbol("theta", positive=True))


@lru_cache(maxsize=None)
def crosstalk_weight(horizon: str = "finite") -> Formula:
    """``C = sum over the other pairs of lam^(2 age')`` [lam, age, L] (finite) or [lam, age] (stationary).

    Examples
    --------
    >>> crosstalk_weight("stationary").evaluate(lam=0.5, age=0)
    0.33333333333333326
    """
    check_choice(horizon, "horizon", _HORIZONS)
    d, lam, age, L, _ = _symbols()
    i = sp.Symbol("i", integer=True, nonnegative=True)
    upper = L - 1 if horizon == "finite" else sp.oo
    total = sp.summation(lam ** (2 * i), (i, 0, upper))
    if isinstance(total, sp.Piecewise):  # keep the geometric-series branch (not lam = 1, not the unevaluated Sum)
        total = next(e for e, _ in total.args if lam in e.free_symbols and not e.has(sp.Sum))
    expr = sp.simplify(total) - lam ** (2 * age)
    return Formula(
        name=f"forgetting.crosstalk_weight[{horizon}]",
        expr=expr,
        symbols=(lam, age, L) if horizon == "finite" else (lam, age),
        source=_SRC,
        assumptions="ages 0..L-1 (finite) or 0, 1, 2, ... (stationary); 0 < lam < 1; age < L",
        definition="sum over the other stored pairs of lam^(2 age'), the weight of their crosstalk",
    )


@lru_cache(maxsize=None)
def _variances(horizon: str) -> Dict[str, sp.Expr]:
    g = gaussian_moments()
    d, lam, age, L, _ = _symbols()
    C = crosstalk_weight(horizon).expr
    v4, c2 = g["E|v|^4"], g["E(v.w)^2"]
    w = lam ** (2 * age)
    return {
        # own term lam^a |v|^2 |u|^2 (variance lam^2a (E|v|^4 E|u|^4 - 1)) + the others, each lam^2a' c2^2
        "stored": sp.expand(w * (v4 * v4 - 1)) + C * c2 * c2,
        # lam^a (v . v_j) |u_j|^2 + the others
        "fresh": sp.expand(w * v4 * c2) + C * c2 * c2,
    }


@lru_cache(maxsize=None)
def score_variance(kind: str = "stored", horizon: str = "finite") -> Formula:
    """Variance of the score ``v^T W u_j`` of the pair of age ``age`` [d, lam, age, (L)], exact for Gaussian embeddings.

    Parameters
    ----------
    kind : {"stored", "fresh"}
        The value stored with ``u_j`` (mean ``lam^age``), or a never-stored random value (mean 0).
    horizon : {"finite", "stationary"}
        ``L`` pairs written (ages 0..L-1), or the limit ``L -> inf``.

    Examples
    --------
    >>> round(score_variance("stored", "finite").evaluate(d=16, lam=1.0 - 1e-12, age=3, L=16), 6)  # 4/d + (L+3)/d^2
    0.324219
    """
    check_choice(kind, "kind", ("stored", "fresh"))
    check_choice(horizon, "horizon", _HORIZONS)
    d, lam, age, L, _ = _symbols()
    return Formula(
        name=f"forgetting.score_variance[{kind},{horizon}]",
        expr=_variances(horizon)[kind],
        symbols=(d, lam, age, L) if horizon == "finite" else (d, lam, age),
        source=_SRC,
        assumptions="keys and values i.i.d. N(0, I/d); W = sum_i lam^(a_i) v_i u_i^T; query = the key of the "
                    "pair of age `age`; exact at finite d and L (0 < lam < 1)",
        definition=("variance of the stored value's score v_j^T W u_j" if kind == "stored"
                    else "variance of a fresh random value's score v^T W u_j"),
    )


@lru_cache(maxsize=None)
def snr(horizon: str = "stationary") -> Formula:
    """Signal-to-noise ratio ``lam^(2 age) / (sigma_stored^2 + sigma_fresh^2)`` of the pair of age ``age``.

    The stored score against one fresh distractor: ``P(correct) = Phi(sqrt(SNR))`` for two
    candidates (:func:`recall_accuracy`).

    Examples
    --------
    >>> round(snr().evaluate(d=64, lam=0.999, age=0), 3)
    3.092
    """
    check_choice(horizon, "horizon", _HORIZONS)
    d, lam, age, L, _ = _symbols()
    v = _variances(horizon)
    return Formula(
        name=f"forgetting.snr[{horizon}]",
        expr=sp.simplify(lam ** (2 * age) / sp.factor(sp.expand(v["stored"] + v["fresh"]))),
        symbols=(d, lam, age, L) if horizon == "finite" else (d, lam, age),
        source=_SRC,
        assumptions="as score_variance; the two scores are uncorrelated",
        definition="squared mean over the summed variances of the stored and a fresh value's scores",
    )


def recall_accuracy(d: npt.ArrayLike, lam: npt.ArrayLike, age: npt.ArrayLike, V: npt.ArrayLike = 2,
                    L: npt.ArrayLike | None = None) -> float | np.ndarray:
    """Probability that the stored value beats ``V - 1`` fresh random candidates (Gaussian approximation).

    ``int phi(z) Phi((lam^age + sigma_s z)/sigma_f)^(V-1) dz`` with the exact standard deviations of
    :func:`score_variance` (``L=None``: stationary) -- the formula of
    :func:`theory.kv_memory.argmax_accuracy` with the decayed signal and crosstalk.
    For ``V = 2`` it is ``Phi(sqrt(SNR))``.

    Examples
    --------
    >>> round(float(recall_accuracy(64, 0.999, 0, V=2)), 4)
    0.9607
    """
    d, age, V = validate("d", d), validate("age", age), validate("V", V)
    lam = _check_lam(lam)
    horizon = "stationary" if L is None else "finite"
    Lv = None if L is None else validate("L", L)
    arrays = np.broadcast_arrays(d, lam, age, V, *(() if Lv is None else (Lv,)))
    out = np.empty(arrays[0].shape)
    for idx in np.ndindex(out.shape):
        vals = {"d": arrays[0][idx], "lam": arrays[1][idx], "age": arrays[2][idx]}
        if Lv is not None:
            vals["L"] = arrays[4][idx]
        s_s = np.sqrt(float(score_variance("stored", horizon).evaluate_continuous(**vals)))
        s_f = np.sqrt(float(score_variance("fresh", horizon).evaluate_continuous(**vals)))
        mu, n = float(vals["lam"]) ** float(vals["age"]), float(arrays[3][idx])

        def integrand(z):
            return np.exp(-z * z / 2) / np.sqrt(2 * np.pi) * ndtr((mu + s_s * z) / s_f) ** (n - 1)

        out[idx] = integrate.quad(integrand, -np.inf, np.inf, epsabs=1e-12, epsrel=1e-10, limit=200)[0]
    return float(out) if out.ndim == 0 else out


def _check_lam(lam) -> np.ndarray:
    arr = validate("lam", lam)
    if np.any((arr <= 0) | (arr >= 1)):
        raise ValueError(f"lam must be in (0, 1), got {arr[(arr <= 0) | (arr >= 1)].ravel()[0]}")
    return arr


@lru_cache(maxsize=None)
def window() -> Formula:
    """The age at which the stationary SNR falls to ``theta`` [d, lam, theta] (real; ages below it are recalled).

    Solving ``snr("stationary") = theta`` for ``lam^(2 age)``:
    ``lam^(2 age) B = 2 theta / (d^2 (1 - lam^2))`` with ``B = 1 - theta (5/d + 4/d^2)`` (needs ``B > 0``:
    even the newest pair has SNR below ``d/5``).

    Examples
    --------
    >>> round(window().evaluate(d=64, lam=0.999, theta=1.0), 1)
    663.2
    """
    d, lam, age, _, theta = _symbols()
    y = sp.Symbol("y", positive=True)  # lam^(2 age)
    eq = sp.Eq(snr("stationary").expr.subs(lam ** (2 * age), y), theta)
    sol = [s for s in sp.solve(eq, y) if s != 0]
    expr = sp.log(sp.simplify(sol[0])) / (2 * sp.log(lam))
    return Formula(
        name="forgetting.window",
        expr=expr,
        symbols=(d, lam, theta),
        source=_SRC,
        assumptions="stationary decaying memory (L -> inf); theta (5/d + 4/d^2) < 1",
        definition="age at which the SNR of the stored value against a fresh one falls to theta",
    )


def retrievable_pairs(d: npt.ArrayLike, lam: npt.ArrayLike, theta: npt.ArrayLike) -> float | np.ndarray:
    """Stationary number of stored pairs with SNR >= ``theta``: ``floor(window) + 1`` (0 if none), float64.

    Examples
    --------
    >>> float(retrievable_pairs(64, 0.999, 1.0))
    664.0
    """
    a = np.asarray(window().evaluate(d=d, lam=_check_lam(lam), theta=theta), dtype=np.float64)
    out = np.where(np.isfinite(a) & (a >= 0), np.floor(a) + 1, 0.0)
    return float(out) if out.ndim == 0 else out


def optimal_decay(d: npt.ArrayLike, theta: npt.ArrayLike) -> float | np.ndarray:
    """The decay ``lam*`` that maximises :func:`window` (numerical root of its stationarity condition).

    With ``y = lam^2`` and ``A = 2 theta / (d^2 B)`` the window is ``ln(A/(1 - y)) / ln y``; its derivative
    vanishes where ``y ln y = (1 - y) ln(A/(1 - y))``, solved by ``scipy.optimize.brentq`` in ``x = 1 - y``.

    Examples
    --------
    >>> round(float(optimal_decay(64, 1.0)), 6)
    0.99928
    """
    dd, tt = np.broadcast_arrays(validate("d", d), validate("theta", theta))
    out = np.empty(dd.shape)
    for idx in np.ndindex(out.shape):
        dv, th = float(dd[idx]), float(tt[idx])
        B = 1 - th * (5 / dv + 4 / dv**2)
        if B <= 0:
            raise ValueError(f"theta = {th} is out of reach at d = {dv}: need theta (5/d + 4/d^2) < 1")
        A = 2 * th / (dv**2 * B)
        if A >= 1:
            raise ValueError(f"2 theta / (d^2 B) = {A:.3g} >= 1 at d = {dv}, theta = {th}: no pair is retrievable")
        f = lambda x: (1 - x) * np.log1p(-x) - x * np.log(A / x)  # noqa: E731  (y ln y - (1-y) ln(A/(1-y)))
        x = optimize.brentq(f, A * (1 + 1e-12), 1 - 1e-15, xtol=1e-300, rtol=1e-14)  # window > 0 needs x > A
        out[idx] = np.sqrt(1 - x)
    return float(out) if out.ndim == 0 else out


@lru_cache(maxsize=None)
def optimal_decay_leading() -> Dict[str, Formula]:
    """Leading order (``d -> inf``) of the best decay and of its window [d, theta].

    ``1 - lam*^2 = e A`` and window ``1/(e A)`` with ``A = 2 theta / (d^2 B)``: from ``ln(A/x)/x`` maximal
    at ``ln(A/x) = -1`` (``ln y = -x`` to first order in ``x = 1 - y``).

    Examples
    --------
    >>> round(optimal_decay_leading()["window"].evaluate(d=64, theta=1.0), 1)
    693.8
    """
    d, _, _, _, theta = _symbols()
    B = 1 - theta * (5 / d + 4 / d**2)
    A = 2 * theta / (d**2 * B)
    kw = dict(symbols=(d, theta), source=_SRC, assumptions="stationary decaying memory; leading order in 1/d^2 "
              "(1 - lam^2 << 1); relative error O(A) = O(theta/d^2)")
    return {
        "one_minus_lam2": Formula(name="forgetting.optimal_decay_leading[1-lam^2]", expr=sp.E * A,
                                  definition="1 - lam*^2 at the decay that maximises the window", **kw),
        "window": Formula(name="forgetting.optimal_decay_leading[window]", expr=sp.simplify(1 / (sp.E * A)),
                          definition="the largest window over lam (age at SNR = theta)", **kw),
    }


@lru_cache(maxsize=None)
def gated_delta_fixed_point() -> Formula:
    """Read of an orthonormal key right after its write, keys written in a cycle of ``M`` [a, b, M].

    Between two writes of ``k_j`` the other (orthogonal) writes multiply ``W k_j`` by ``a`` each
    (``(I - b k k^T) k_j = k_j``); the write gives ``W k_j <- a (1 - b) W k_j + b v_j``. The fixed point
    of ``x = a (1 - b) a^(M-1) x + b v`` is ``x = b v / (1 - a^M (1 - b))`` (in units of ``v``); the read
    at age ``t`` after the write is ``a^t`` times it. ``b = 1`` recalls exactly.

    Examples
    --------
    >>> gated_delta_fixed_point().evaluate(a=0.5, b=0.5, M=1)
    0.6666666666666666
    """
    a, b, M, x = sp.Symbol("a", positive=True), sp.Symbol("b", positive=True), sym("M"), sp.Symbol("x")
    sol = sp.solve(sp.Eq(x, a * (1 - b) * a ** (M - 1) * x + b), x)[0]
    return Formula(
        name="forgetting.gated_delta_fixed_point",
        expr=sp.simplify(sol),
        symbols=(a, b, M),
        source=_GDN,
        assumptions="orthonormal keys (M <= d) written in a fixed cycle forever; constant gates a in (0, 1], "
                    "b in (0, 2); exact",
        definition="W k_j / v_j right after the write of k_j, in the stationary cycle",
    )


@lru_cache(maxsize=None)
def gated_delta_signal() -> Formula:
    """Mean read ``E v_j^T W u_j`` of the pair of age ``age`` under the normalised gated delta rule (exact).

    After its write (``b = 1/|k|^2``) ``W k_j = v_j`` exactly; each later write of a random key ``k``
    maps ``W k_j -> a (W k_j - (k . k_j) W k / |k|^2) + (k . k_j) v_t / |k|^2``, whose mean along
    ``W k_j`` is ``a (1 - E (k . k_j)^2 / |k|^2) = a (1 - 1/d)`` to leading order.

    Examples
    --------
    >>> round(gated_delta_signal().evaluate(a=1.0, d=64, age=64), 4)
    0.365
    """
    a, d, age = sp.Symbol("a", positive=True), sym("d"), sp.Symbol("age", nonnegative=True)
    return Formula(
        name="forgetting.gated_delta_signal",
        expr=(a * (1 - 1 / d)) ** age,
        symbols=(a, d, age),
        source=_GDN,
        assumptions="keys and values i.i.d. N(0, I/d); b = 1/|k|^2; constant a; exact at finite d (each later "
                    "key k is independent of the state and E k k^T/|k|^2 = I/d): gated_delta_moments' mean",
        definition="mean score of the stored value of the pair of age `age`",
    )


_RATES = ("normalized", "constant")


def _gd_symbols():
    return (sp.Symbol("a", positive=True), sp.Symbol("b", positive=True), sym("d"),
            sp.Symbol("age", nonnegative=True), sp.Symbol("L", positive=True))


@lru_cache(maxsize=None)
def gated_delta_rate_moments(rate: str = "normalized") -> Dict[str, sp.Expr]:
    """Moments of the write rate ``b`` and of ``|k|^2`` (keys ``N(0, I/d)``) that the gated delta rule's moments use.

    ``b1 = E b|k|^2``, ``b2 = E b^2 |k|^4``, ``nu = E b^2 |k|^2``, ``eta = E (1 - b|k|^2)^2 |k|^2``,
    ``g1 = 1 - 2 E b|k|^4 / d + E b^2 |k|^6 / d``, from ``|k|^2 ~ chi^2_d / d``
    (``E|k|^2 = 1``, ``E|k|^4 = (d+2)/d``, ``E|k|^6 = (d+2)(d+4)/d^2``, ``E|k|^-2 = d/(d-2)``).
    ``rate="normalized"``: ``b = 1/|k|^2`` (then ``b1 = b2 = 1``, ``eta = 0``: the write erases the old
    read of its own key); ``"constant"``: a scalar ``b``.
    """
    check_choice(rate, "rate", _RATES)
    a, b, d, age, L = _gd_symbols()
    m2, m3 = (d + 2) / d, (d + 2) * (d + 4) / d**2
    if rate == "normalized":
        return {"b1": sp.S.One, "b2": sp.S.One, "nu": d / (d - 2), "eta": sp.S.Zero, "g1": 1 - 1 / d}
    return {"b1": b, "b2": b**2 * m2, "nu": b**2, "eta": 1 - 2 * b * m2 + b**2 * m3,
            "g1": 1 - 2 * b * m2 / d + b**2 * m3 / d}


@lru_cache(maxsize=None)
def _gd_exprs(rate: str, horizon: str) -> Dict[str, sp.Expr]:
    a, b, d, age, L = _gd_symbols()
    m = gated_delta_rate_moments(rate)
    b1, b2, nu, eta, g1 = m["b1"], m["b2"], m["nu"], m["eta"], m["g1"]
    rho = a * (1 - b1 / d)  # the mean score's factor per later write
    R = a**2 * (1 - 2 * b1 / d + 2 * b2 / (d * (d + 2)))  # E s^2 and E|W u|^2's factor
    G = a**2 * (1 - 2 * b1 / d + b2 / d)  # E||W||_F^2 and E|W^T v|^2's factor
    c = b2 / (d * (d + 2))
    Gtau = G ** (L - 1 - age) if horizon == "finite" else sp.S.Zero  # G^tau, tau = pairs written before the pair
    Finf = nu / (1 - G)
    Fpre = Finf * (1 - Gtau)  # E||W||_F^2 just before the pair's write
    S1 = (R**age - G**age) / (R - G)  # sum_j R^(age-1-j) G^j
    S0 = (1 - R**age) / (1 - R)  # sum_j R^(age-1-j)
    h0, hinf = a**2 * g1 * Fpre / d + b2 * (1 + 2 / d), nu / d / (1 - G)  # E|W^T v|^2 |u|^2 after the write, limit
    e0 = a**2 * g1 * Fpre + b2  # E||W||_F^2 |u|^2 after the write (limit Finf)
    q = R**age * (a**2 * eta * Fpre / d**2 + b2 * (1 + 2 / d)) + a**2 * c * ((h0 - hinf) * S1 + hinf * S0) \
        + nu / d**2 * S0
    r = R**age * (a**2 * eta * Fpre / d + b2) + a**2 * c * ((e0 - Finf) * S1 + Finf * S0) + nu / d * S0
    mean = b1 * rho**age
    return {"mean": mean, "stored": q - mean**2, "fresh": r / d}


@lru_cache(maxsize=None)
def gated_delta_moments(rate: str = "normalized", horizon: str = "finite") -> Dict[str, Formula]:
    """Mean and variances of the scores of the pair of age ``age`` under the gated delta rule, exact at finite ``d``.

    ``W_t = a W_{t-1} (I - b k_t k_t^T) + b v_t k_t^T`` with constant ``a`` and ``b`` constant or
    ``1/|k_t|^2``, keys and values i.i.d. ``N(0, I/d)``, ``L`` writes from ``W = 0``; the pair
    ``(u, v)`` of age ``age`` was written at ``tau = L - 1 - age``.

    Parameters
    ----------
    rate : {"normalized", "constant"}
        ``b = 1/|k|^2`` (arguments ``d, a, age, L``; ``d > 2``) or a constant ``b`` (also ``b``;
        ``b |k|^2 <= 2`` for the stream to be stable).
    horizon : {"finite", "stationary"}
        ``L`` writes, or ``L -> inf`` (needs ``G < 1``, see Notes).

    Returns
    -------
    dict of Formula
        ``"mean"`` (``E v^T W u``), ``"stored"`` (its variance), ``"fresh"`` (variance of ``f^T W u``
        for a fresh value ``f``).

    Notes
    -----
    A later write with key ``k`` (independent of everything before it) maps the score
    ``s = v^T W u`` to ``a s - a b (W^T v . k)(k . u) + b (v_t . v)(k . u)``. With the rate moments of
    :func:`gated_delta_rate_moments` and the Gaussian (isotropic) identities
    ``E b k k^T = b1 I/d`` and ``E b^2 (x . k)^2 (y . k)^2 = b2 (|x|^2 |y|^2 + 2 (x . y)^2)/(d (d+2))``:

    * ``E s`` gains ``rho = a (1 - b1/d)`` per write;
    * ``E s^2`` gains ``R = a^2 (1 - 2 b1/d + 2 b2/(d(d+2)))`` and the crosstalk
      ``a^2 b2 h_t/(d(d+2)) + nu/d^2``, where ``h_t = E |W^T v|^2 |u|^2`` itself gains ``G = a^2 (1 - 2 b1/d
      + b2/d)`` and ``nu/d`` per write (a geometric sum of the per-write projections);
    * ``E|W u|^2`` (``d`` times the fresh variance) gains ``R`` and ``a^2 b2 e_t/(d(d+2)) + nu/d`` with
      ``e_t = E ||W||_F^2 |u|^2`` (``G`` and ``nu`` per write);
    * the write of the pair itself starts them from ``E||W||_F^2 = nu (1 - G^tau)/(1 - G)``.

    Every step is an exact expectation (no term is dropped), so the formulas are exact for Gaussian keys
    and values at finite ``d``; at ``b = 1/|k|^2`` the write sets ``W u = v`` (``eta = 0``).

    Examples
    --------
    >>> m = gated_delta_moments("normalized", "stationary")
    >>> round(m["mean"].evaluate(d=16, a=0.95, age=8), 4)  # (a (1 - 1/d))^8
    0.3959
    >>> round(m["stored"].evaluate(d=16, a=1.0 - 1e-12, age=0), 4)  # |v|^2: 2/d
    0.125
    """
    check_choice(rate, "rate", _RATES)
    check_choice(horizon, "horizon", _HORIZONS)
    a, b, d, age, L = _gd_symbols()
    ex = _gd_exprs(rate, horizon)
    syms = (d, a) + ((b,) if rate == "constant" else ()) + (age,) + ((L,) if horizon == "finite" else ())
    kw = dict(symbols=syms, source=_GDN, assumptions=(
        "keys and values i.i.d. N(0, I/d); W_t = a W_{t-1}(I - b k_t k_t^T) + b v_t k_t^T from W = 0, constant a, "
        + ("b = 1/|k_t|^2 (d > 2)" if rate == "normalized" else "constant b")
        + ("; L writes, age < L" if horizon == "finite" else "; L -> inf (G < 1)") + "; exact at finite d"))
    return {"mean": Formula(name=f"forgetting.gated_delta_moments[mean,{rate},{horizon}]", expr=ex["mean"],
                            definition="mean score of the stored value of the pair of age `age`", **kw),
            "stored": Formula(name=f"forgetting.gated_delta_moments[stored,{rate},{horizon}]", expr=ex["stored"],
                              definition="variance of the stored value's score v^T W u", **kw),
            "fresh": Formula(name=f"forgetting.gated_delta_moments[fresh,{rate},{horizon}]", expr=ex["fresh"],
                             definition="variance of a fresh random value's score f^T W u", **kw)}


def gated_delta_accuracy(d: npt.ArrayLike, a: npt.ArrayLike, age: npt.ArrayLike, L: npt.ArrayLike | None = None,
                         b: npt.ArrayLike | None = None) -> float | np.ndarray:
    """``Phi(mean / sqrt(var_stored + var_fresh))``: the stored value beats one fresh value (Gaussian approximation).

    The moments of :func:`gated_delta_moments` (``b=None``: ``b = 1/|k|^2``; ``L=None``: stationary).

    Examples
    --------
    >>> round(float(gated_delta_accuracy(16, 0.95, 0)), 3)
    0.99
    """
    d, age = validate("d", d), validate("age", age)
    a = validate("a", a)
    if np.any((a <= 0) | (a > 1)):
        raise ValueError(f"a must be in (0, 1], got {a[(a <= 0) | (a > 1)].ravel()[0]}")
    if b is None and np.any(d <= 2):
        raise ValueError(f"d must be > 2 for b = 1/|k|^2 (E 1/|k|^2 = d/(d-2)), got {d[d <= 2].ravel()[0]}")
    vals = {"d": d, "a": a, "age": age}
    if L is not None:
        vals["L"] = validate("L", L)
        if np.any(np.asarray(age) >= vals["L"]):
            raise ValueError("age must be < L")
    if b is not None:
        vals["b"] = validate("b", b)
        if np.any(vals["b"] <= 0):
            raise ValueError(f"b must be > 0, got {vals['b'][vals['b'] <= 0].ravel()[0]}")
    m = gated_delta_moments("normalized" if b is None else "constant", "stationary" if L is None else "finite")
    mu, vs, vf = (np.asarray(m[k].evaluate_continuous(**vals), dtype=np.float64) for k in ("mean", "stored", "fresh"))
    out = ndtr(mu / np.sqrt(vs + vf))
    return float(out) if out.ndim == 0 else out


# MQAR under the decaying memory: the pairs of one sequence sit two tokens apart, the query reads later.

_MQAR = ("MQAR (Arora et al., Zoology, ICLR 2024, arXiv:2312.04927) under the decaying outer-product memory "
         "W = sum_i lam^(a_i) v_i u_i^T, written once per pair; crosstalk summed with the decay weights as in "
         "theory.forgetting.score_variance, derived in theory.forgetting")


def _mqar_symbols():
    return sym("d"), sp.Symbol("lam", positive=True), sp.Symbol("age", nonnegative=True), \
        sp.Symbol("newest", nonnegative=True), sym("P"), sp.Symbol("age_o", nonnegative=True)


@lru_cache(maxsize=None)
def mqar_crosstalk_weight() -> Formula:
    """``C = sum over the other writes of lam^(2 age')`` at an MQAR query [lam, age, newest, P].

    The ``P`` pairs of a sequence are written at its value tokens ``1, 3, ..., 2P - 1``, so at a query
    their ages are ``newest, newest + 2, ..., newest + 2 (P - 1)`` (``newest``: the age of the last
    pair); every later token (filler or query, the query's own token included) writes a noise pair
    (ages ``0 .. newest - 1``):
    ``C = lam^(2 newest) (1 - lam^(4P)) / (1 - lam^4) + (1 - lam^(2 newest)) / (1 - lam^2) - lam^(2 age)``.

    Examples
    --------
    >>> round(mqar_crosstalk_weight().evaluate(lam=0.5, age=1, newest=1, P=2), 6)  # lam^(2*3) + lam^0
    1.015625
    """
    d, lam, age, newest, P, _ = _mqar_symbols()
    m = sp.Symbol("m", integer=True, nonnegative=True)
    total = sp.summation(lam ** (2 * (newest + 2 * m)), (m, 0, P - 1)) \
        + sp.summation(lam ** (2 * m), (m, 0, newest - 1))  # the pairs, then the filler's noise writes
    # keep the geometric-series branches of the Piecewise (lam != 1)
    total = total.subs({pw: pw.args[-1][0] for pw in total.atoms(sp.Piecewise)})
    return Formula(
        name="forgetting.mqar_crosstalk_weight",
        expr=sp.simplify(total) - lam ** (2 * age),
        symbols=(lam, age, newest, P),
        source=_MQAR,
        assumptions="P pairs written at every second token, the last one `newest` tokens before the read, a noise "
                    "pair at every token after them; `age` one of newest, newest + 2, ..., newest + 2(P-1); "
                    "0 < lam < 1",
        definition="sum over the other writes (pairs and noise) of lam^(2 age'), the weight of their crosstalk",
    )


@lru_cache(maxsize=None)
def mqar_score_variance(kind: str = "stored") -> Formula:
    """Variance of a candidate value's score ``v^T W u_j`` at an MQAR query, exact for Gaussian embeddings.

    Parameters
    ----------
    kind : {"stored", "fresh", "other"}
        The value paired with the queried key (mean ``lam^age``) [d, lam, age, newest, P]; a never-stored
        value [same]; another stored value, of age ``age_o`` (mean 0) [d, lam, age, newest, P, age_o].

    Notes
    -----
    :func:`score_variance` with the crosstalk weight of :func:`mqar_crosstalk_weight`. Another stored
    value ``v_i`` scores ``lam^age (v_i . v_j)|u_j|^2 + lam^(age_o) |v_i|^2 (u_i . u_j)`` plus the others'
    crosstalk: the fresh value's variance plus ``lam^(2 age_o) (1/d + 1/d^2)`` (its own pair's term,
    ``E|v|^4 E(u.w)^2 = (1 + 2/d)/d``, less the ``1/d^2`` it had among the crosstalk). Every cross term
    holds a lone zero-mean vector, so all the candidates' scores are uncorrelated.

    Examples
    --------
    >>> round(mqar_score_variance("fresh").evaluate(d=16, lam=0.9, age=3, newest=1, P=2), 6)  # w (1/d + 2/d^2) + C/d^2
    0.044437
    """
    check_choice(kind, "kind", ("stored", "fresh", "other"))
    g = gaussian_moments()
    d, lam, age, newest, P, age_o = _mqar_symbols()
    C = mqar_crosstalk_weight().expr
    v4, c2 = g["E|v|^4"], g["E(v.w)^2"]
    w = lam ** (2 * age)
    expr = {"stored": w * (v4 * v4 - 1) + C * c2 * c2, "fresh": w * v4 * c2 + C * c2 * c2,
            "other": w * v4 * c2 + C * c2 * c2 + lam ** (2 * age_o) * (v4 * c2 - c2 * c2)}[kind]
    return Formula(
        name=f"forgetting.mqar_score_variance[{kind}]",
        expr=expr,
        symbols=(d, lam, age, newest, P) + ((age_o,) if kind == "other" else ()),
        source=_MQAR,
        assumptions="keys and values i.i.d. N(0, I/d); the P pairs written at every second token; the query is "
                    "the key of the pair of age `age`; exact at finite d (0 < lam < 1)",
        definition={"stored": "variance of the stored value's score v_j^T W u_j",
                     "fresh": "variance of a never-stored value's score v^T W u_j",
                     "other": "variance of another stored value's score v_i^T W u_j"}[kind],
    )


#: The grid of ``z`` on which :func:`mqar_accuracy` integrates (trapezoid; the integrand is smooth in ``z``).
_Z = np.linspace(-8.0, 8.0, 401)


@lru_cache(maxsize=None)
def _chi2_nodes(d: float, K: int = 24) -> np.ndarray:
    """``K`` equal-probability nodes of ``|u|^2 ~ chi^2_d / d`` (midpoints of its quantiles)."""
    from scipy.stats import chi2
    return chi2.ppf((np.arange(K) + 0.5) / K, d) / d


def _mqar_layout(P, V, query_pos, pair) -> tuple:
    """``(P, V, query_pos, pair)`` of an MQAR read, checked: ``V > P`` values, integer positions, ``pair`` in
    ``0 .. P - 1`` and every query after the ``2 P`` tokens of the pairs."""
    P = int(validate("P", P))
    V = int(validate("V", V))
    if V < P + 1:
        raise ValueError(f"V must be >= P + 1 = {P + 1} (the stored values and a fresh one), got {V}")
    qp, pr = (np.asarray(x) for x in (query_pos, pair))
    if not (np.issubdtype(qp.dtype, np.integer) and np.issubdtype(pr.dtype, np.integer)):
        raise TypeError("query_pos and pair must be integers")
    if np.any(pr < 0) or np.any(pr >= P):
        raise ValueError(f"pair must be in 0 .. P - 1 = {P - 1}")
    if np.any(qp < 2 * P):
        raise ValueError(f"query_pos must be >= 2 P = {2 * P} (after the pairs)")
    return P, V, qp, pr


def mqar_accuracy(d: npt.ArrayLike, lam: float, query_pos: npt.ArrayLike, pair: npt.ArrayLike, P: int,
                  V: int) -> float | np.ndarray:
    """Probability that an MQAR query's argmax over ``V`` value tokens returns its pair's value (Gaussian crosstalk).

    The decaying memory writes pair ``i`` (key ``u_i``, value ``v_i``) at token ``2 i + 1`` and decays by
    ``lam`` at every token; the query at token ``query_pos`` reads ``W u_j`` and scores every value
    token. The pair's age is the gap ``query_pos - 2 pair - 1``; the candidates are the stored value, the
    ``P - 1`` other stored values and ``V - P`` never-stored values, with the exact variances of
    :func:`mqar_score_variance`. The accuracy integral treats the scores as independent Gaussians:
    ``int phi(z) Phi((lam^age + s_s z)/s_f)^(V-P) prod_i Phi((lam^age + s_s z)/s_i) dz``.

    Parameters
    ----------
    d : int or array_like
    lam : float in (0, 1)
    query_pos, pair : array_like of int (broadcast)
        Token of the query (``>= 2 P``) and the index of the pair it asks for (``0 .. P - 1``).
    P : int >= 1
        Pairs in the sequence.
    V : int >= P + 1
        Value tokens (candidates of the argmax).

    Returns
    -------
    float or ndarray of float64

    Notes
    -----
    The scores are uncorrelated, not independent: the distractors share the fluctuation of
    ``|W u_j|`` (the error of :func:`theory.kv_memory.argmax_accuracy`, which falls like ``1/d``), and
    the newest pairs' own term ``lam^age |v_j|^2 |u_j|^2`` is not Gaussian.

    Examples
    --------
    >>> round(float(mqar_accuracy(32, 0.95, 40, 15, P=16, V=128)), 4)  # gap 9
    0.9054
    """
    d = validate("d", d)
    lam = float(_check_lam(lam))
    P, V, qp, pr = _mqar_layout(P, V, query_pos, pair)
    d, qp, pr = np.broadcast_arrays(d, qp, pr)
    out = np.empty(d.shape)
    for idx in np.ndindex(out.shape):
        ages = qp[idx] - (2 * np.arange(P) + 1)  # every pair's age at the query
        out[idx] = _mqar_gaussian(float(d[idx]), lam, ages, int(pr[idx]), P, V)
    return float(out) if out.ndim == 0 else out


def _mqar_weights(lam: float, ages: np.ndarray, j: int) -> tuple:
    """``(mu, w, C, C4, w_o)`` of the read of pair ``j``: its signal ``lam^age`` and weight ``lam^(2 age)``, the
    crosstalk weight ``C = sum lam^(2 age')`` and ``C4 = sum lam^(4 age')`` over every other write (pairs at
    ``ages``, noise at ``0 .. newest - 1``), and the other pairs' weights ``lam^(2 age_o)``."""
    a, newest = float(ages[j]), int(ages[-1])
    others = np.concatenate([np.delete(ages, j), np.arange(newest)]).astype(np.float64)
    c2 = lam ** (2.0 * others)
    return lam**a, lam ** (2.0 * a), float(c2.sum()), float((c2 * c2).sum()), \
        lam ** (2.0 * np.delete(ages, j).astype(np.float64))


def _mqar_gaussian(dv: float, lam: float, ages: np.ndarray, j: int, P: int, V: int) -> float:
    """The Gaussian accuracy integral of :func:`mqar_accuracy` for pair ``j`` of a read with pair ages ``ages``."""
    mu, w, C, _, w_o = _mqar_weights(lam, ages, j)
    # divided by r = |u_j|^2 (the argmax's common scale), given r: the stored value's own term
    # lam^age |v_j|^2 r / r^2 has variance w 2/d, the crosstalk C/(d^2 r); a fresh value's term from the
    # queried pair, lam^age (v . v_j) r, w/d; another stored value's own pair adds lam^(2 age_o) E|v|^4
    # E(u_i . u_j)^2 / r^2 = lam^(2 age_o) (1 + 2/d)/(d r) less the 1/(d^2 r) it had in the crosstalk
    r = _chi2_nodes(dv)[None, :]  # (1, K)
    x = mu + np.sqrt(w * 2 / dv + C / (dv * dv * r)) * _Z[:, None]  # (Z, K) the stored score
    s_f = np.sqrt(w / dv + C / (dv * dv * r))  # (1, K)
    s_o = np.sqrt(s_f[..., None] ** 2 + w_o * (1 + 1 / dv) / (dv * r[..., None]))  # (1, K, P - 1)
    log_win = (V - P) * np.log(np.maximum(ndtr(x / s_f), 1e-300)) \
        + np.log(np.maximum(ndtr(x[..., None] / s_o), 1e-300)).sum(axis=2)
    dens = np.exp(-_Z * _Z / 2)[:, None] / np.sqrt(2 * np.pi)
    return float(integrate.trapezoid(dens * np.exp(log_win), _Z, axis=0).mean())


#: Quadrature nodes of :func:`mqar_gaussian_error`: ``|v_j|^2``, the crosstalk weight ``q`` and ``|y_perp|^2``
#: (gamma laws: generalised Gauss-Laguerre) and the readout's component along ``v_j`` (Gauss-Hermite).
_RED_NODES = {"x": 8, "q": 8, "w": 8, "m": 20}


def _gamma_rule(shape: float, scale: float, n: int) -> tuple:
    """Nodes and weights (summing to 1) of ``E f(X)``, ``X ~ Gamma(shape, scale)``: Gauss-Laguerre, exact for
    polynomials of degree ``< 2 n``."""
    from scipy.special import roots_genlaguerre

    t, w = roots_genlaguerre(n, shape - 1.0)
    return t * scale, w / w.sum()


def _mqar_reduced(dv: float, lam: float, ages: np.ndarray, j: int, P: int, V: int) -> float:
    """The accuracy of the read of pair ``j`` by the exact conditional reduction (:func:`mqar_gaussian_error`)."""
    from scipy.special import roots_hermitenorm

    mu, _, C, C4, w_o = _mqar_weights(lam, ages, j)
    shape = C * C / (2 * C4)  # q = sum c^2 g^2: a gamma law with its mean C and variance 2 C4
    (x, px), (q, pq), (w, pw) = (_gamma_rule(dv / 2, 2 / dv, _RED_NODES["x"]),
                                 _gamma_rule(shape, C / shape, _RED_NODES["q"]),
                                 _gamma_rule((dv - 1) / 2, 2.0, _RED_NODES["w"]))
    g, gw = roots_hermitenorm(_RED_NODES["m"])
    x, q, g, w = x[:, None, None, None], q[None, :, None, None], g[None, None, :, None], w[None, None, None, :]
    weight = px[:, None, None, None] * pq[None, :, None, None] * (gw / gw.sum())[None, None, :, None] \
        * pw[None, None, None, :]
    acc = []
    for r in _chi2_nodes(dv):
        a, b = mu * r, np.sqrt(r) / dv
        m = a * np.sqrt(x) + b * np.sqrt(q) * g  # the readout y = W u_j along v_j
        S, T = np.sqrt(x) * m, (m * m + b * b * q * w) / dv  # stored score; a fresh score's variance |y|^2/d
        log_win = (V - P) * np.log(np.maximum(ndtr(S / np.sqrt(T)), 1e-300))
        for e in w_o * r * (1 + 1 / dv) / dv:  # another stored value: its own pair's term on top
            log_win = log_win + np.log(np.maximum(ndtr(S / np.sqrt(T + e)), 1e-300))
        acc.append(float((np.exp(log_win) * weight).sum()))
    return float(np.mean(acc))


def mqar_gaussian_error(d: int, lam: float, query_pos: int, pair: int, P: int, V: int) -> float:
    """The error of :func:`mqar_accuracy`'s Gaussian integral: the accuracy by an exact conditional reduction less it.

    Given the query key's norm ``r = |u_j|^2`` and the readout ``y = W u_j``, a never-stored value's
    score ``v . y`` is exactly ``N(0, |y|^2/d)`` and independent of the others: the stored value wins
    against the ``V - P`` fresh ones with probability ``Phi(S/sqrt(T))^(V-P)``, ``S = v_j . y``,
    ``T = |y|^2/d``. The Gaussian integral takes ``S`` Gaussian and ``T`` fixed at its mean; in truth
    both move together. By rotation invariance they reduce to four scalars: with ``x = |v_j|^2``
    (``chi^2_d/d``), the other writes' crosstalk ``sum_i c_i (u_i . u_j) v_i ~ N(0, (r q/d^2) I)``
    given ``q = sum_i c_i^2 g_i^2`` (``g_i`` standard normal, ``c_i = lam^(age_i)``), its component
    along ``v_j`` and ``w ~ chi^2_(d-1)`` for the rest:
    ``m = lam^age r sqrt(x) + sqrt(r q)/d g``, ``S = sqrt(x) m``, ``T = (m^2 + r q w/d^2)/d``.
    The expectation over ``(x, q, g, w)`` is taken by quadrature (``q`` as the gamma law with its
    exact mean ``C`` and variance ``2 sum c_i^4``); the ``P - 1`` other stored values keep their
    Gaussian form (variance ``T`` plus their own pair's term), and ``r`` its 24 nodes.

    Returns
    -------
    float
        ``P_reduced - mqar_accuracy``: positive where the Gaussian integral is pessimistic.

    Notes
    -----
    Against direct simulation of the memory (``y = sum_i c_i v_i (u_i . u_j)`` and the argmax over
    ``V`` values, 100000 reads each, ``d = 32``, ``lam = 0.95``, ``P = 8``, ``V = 128``) the reduced
    accuracy is within 1.7 standard errors at gaps 15, 25, 39, 45 (0.8544, 0.4896, 0.1268, 0.0706
    against 0.8529, 0.4897, 0.1285, 0.0720); the Gaussian integral is low there by 0.058, 0.019, 0.002,
    0.0005. A second-order expansion (Edgeworth terms of ``S``'s third and fourth cumulants plus the
    delta method in ``T``) does much worse here: it gives -0.006 at gap 25 where the truth is +0.019,
    since ``S`` and ``T`` share ``x``, whose relative spread ``sqrt(2/d)`` is not small.

    Examples
    --------
    >>> e = mqar_gaussian_error(32, 0.95, 30, 7, P=8, V=128)  # gap 15: the integral is about 0.06 low
    >>> 0.04 < e < 0.08
    True
    """
    dv = float(validate("d", d))
    lam = float(_check_lam(lam))
    P, V, qp, pr = _mqar_layout(P, V, query_pos, pair)
    if qp.ndim or pr.ndim:
        raise TypeError("query_pos and pair must be single integers")
    ages = int(qp) - 1 - 2 * np.arange(P)  # the pairs' ages at the query
    return _mqar_reduced(dv, lam, ages, int(pr), P, V) - _mqar_gaussian(dv, lam, ages, int(pr), P, V)


#: What the reduction of :func:`mqar_gaussian_error` leaves out (the other stored values' own terms kept
#: Gaussian, ``q`` as a gamma law), as a fraction of the derived error: measured against direct simulation of
#: the memory (40000 reads a case), the true error exceeds the derived one by at most 7-8% where it is large
#: (gap 2: 0.0829 against 0.0772 at ``d = 12``, 0.0833 against 0.0788 at ``d = 16``, 0.0513 against 0.0479 at
#: ``d = 8``; 3% at ``d = 32``) and is smaller than it at the middle gaps.
MQAR_REDUCTION_SLACK = 0.1


def mqar_error_bound(d: int, lam: float, query_pos: int, pair: int, P: int, V: int) -> float:
    """Bound on ``|true accuracy - mqar_accuracy|``: ``(1 + MQAR_REDUCTION_SLACK) |mqar_gaussian_error|``.

    The error is derived (the exact conditional reduction against the Gaussian integral); the 10% on top
    allows for what the reduction leaves out, measured (:data:`MQAR_REDUCTION_SLACK`). At ``d = 32``,
    ``lam = 0.95``, ``P = 8``, ``V = 128`` the bound peaks at 0.058 (1.8/d) at gaps 11-13 (accuracy about
    0.85) and falls below 0.002 past gap 50; at ``d = 64``, ``lam = 0.98`` it peaks at 0.028 (1.8/d).

    Examples
    --------
    >>> e = mqar_gaussian_error(32, 0.95, 30, 7, P=8, V=128)
    >>> round(mqar_error_bound(32, 0.95, 30, 7, P=8, V=128) / e, 6)
    1.1
    """
    return (1.0 + MQAR_REDUCTION_SLACK) * abs(mqar_gaussian_error(d, lam, query_pos, pair, P, V))


# MQAR under the gated delta rule: P pair writes, then a noise write at every token up to the query.

_GDN_MQAR = ("MQAR (Arora et al., Zoology, ICLR 2024, arXiv:2312.04927) under the gated delta rule "
             "W <- a W (I - b k k^T) + b v k^T (Yang, Kautz & Hatamizadeh, ICLR 2025, arXiv:2412.06464); "
             "the per-write weights derived in theory.forgetting")


@lru_cache(maxsize=None)
def gated_delta_write_weight(order: str = "newer", rate: str = "normalized") -> Formula:
    """``X_i = E b_i^2 (k_i^T M_i u)^2``: what the write of age ``age_o`` adds to ``E|W u|^2`` when ``u`` has age ``age``.

    ``W = sum_t b_t v_t k_t^T M_t`` with ``M_t = A_{t+1} ... A_L``, ``A = a (I - b k k^T)`` (the later
    writes' maps), and the values are independent of the keys and of one another, so
    ``E|W u|^2 = sum_t X_t`` exactly, term by term. Another stored value ``v_i`` scores
    ``|v_i|^2 b_i k_i^T M_i u + sum_{t != i} (v_i . v_t) b_t k_t^T M_t u``: its variance is the fresh
    value's (``X_i/d`` from write ``i``) plus ``(E|v|^4 - 1/d) X_i = (1 + 1/d) X_i``.

    Parameters
    ----------
    order : {"newer", "older"}
        ``"newer"``: write ``i`` came after the pair of ``u`` (``age_o < age``): ``k_i`` is independent
        of ``M_i u`` and each later map multiplies ``E|z|^2`` by ``G``, so ``X_i = nu G^age_o / d``.
        ``"older"`` (``age_o > age``): ``M_i u`` passes through the write of ``u`` itself,
        ``E|a (I - b u u^T) N u|^2 = a^2 (G^age - (1 - eta) q)`` with ``N`` the ``age`` maps after it
        and ``q = E (w^T N w)^2 = R^age + a^2 c (R^age - G^age)/(R - G)`` (``|w| = 1``,
        ``c = b2/(d(d+2))``), then ``age_o - age - 1`` independent maps (``G`` each):
        ``X_i = nu G^(age_o - age - 1) a^2 (G^age - (1 - eta) q) / d``.
    rate : {"normalized", "constant"}
        ``b = 1/|k|^2`` [d, a, age, age_o] or a constant ``b`` [d, a, b, age, age_o]; the rate moments
        ``b1, b2, nu, eta`` and factors ``R, G`` of :func:`gated_delta_moments`.

    Examples
    --------
    >>> round(gated_delta_write_weight("newer").evaluate(d=16, a=1.0, age=5, age_o=0), 6)  # nu/d = 1/(d-2)
    0.071429
    """
    check_choice(order, "order", ("newer", "older"))
    check_choice(rate, "rate", _RATES)
    a, b, d, age, _ = _gd_symbols()
    age_o = sp.Symbol("age_o", nonnegative=True)
    m = gated_delta_rate_moments(rate)
    b1, b2, nu, eta = m["b1"], m["b2"], m["nu"], m["eta"]
    R = a**2 * (1 - 2 * b1 / d + 2 * b2 / (d * (d + 2)))
    G = a**2 * (1 - 2 * b1 / d + b2 / d)
    c = b2 / (d * (d + 2))
    if order == "newer":
        expr = nu * G**age_o / d
    else:
        q = R**age + a**2 * c * (R**age - G**age) / (R - G)
        expr = nu * G ** (age_o - age - 1) * a**2 * (G**age - (1 - eta) * q) / d
    return Formula(
        name=f"forgetting.gated_delta_write_weight[{order},{rate}]",
        expr=expr,
        symbols=(d, a) + ((b,) if rate == "constant" else ()) + (age, age_o),
        source=_GDN_MQAR,
        assumptions="keys and values i.i.d. N(0, I/d); W_t = a W_{t-1}(I - b k_t k_t^T) + b v_t k_t^T from W = 0, "
                    "constant a; " + ("b = 1/|k|^2 (d > 2)" if rate == "normalized" else "constant b")
                    + "; u the key of the pair of age `age`; exact at finite d",
        definition="contribution of the write of age age_o to E|W u|^2",
    )


def gated_delta_mqar_accuracy(d: npt.ArrayLike, a: float, query_pos: npt.ArrayLike, pair: npt.ArrayLike, P: int,
                              V: int, b: float | None = None) -> float | np.ndarray:
    """Probability that an MQAR query's argmax over ``V`` value tokens returns its pair's value, gated delta rule.

    The layout of ``simulations.estimators.forgetting.gated_delta_mqar``: ``P`` pairs written at the value
    tokens ``2 i + 1`` (the key tokens write nothing and keep the state), then a noise pair at every token
    from ``2 P`` to the query (its own token included): ``L = P + query_pos - 2 P + 1`` i.i.d. writes, the
    queried pair ``j`` of age ``P - 1 - j + query_pos - 2 P + 1`` in writes. The stored value's score has
    the exact mean and variance of :func:`gated_delta_moments` (finite ``L``), a fresh value's the exact
    fresh variance, another stored value's the fresh variance plus ``(1 + 1/d) X_i``
    (:func:`gated_delta_write_weight`). The accuracy treats the scores as independent Gaussians:
    ``int phi(z) Phi((mu + s_s z)/s_f)^(V-P) prod_i Phi((mu + s_s z)/s_i) dz``.

    Parameters
    ----------
    d : int or array_like (> 2 for ``b = None``)
    a : float in (0, 1]
    query_pos, pair : array_like of int (broadcast)
        Token of the query (``>= 2 P``) and the pair it asks for (``0 .. P - 1``).
    P : int >= 1
    V : int >= P + 1
    b : float > 0 or None
        Constant rate, or ``None`` for ``b = 1/|k|^2``.

    Notes
    -----
    The approximation: the scores are uncorrelated but not independent (the candidates share the
    fluctuation of ``|W u|``) and not Gaussian; both errors fall like ``1/d``.

    Examples
    --------
    >>> round(float(gated_delta_mqar_accuracy(32, 0.95, 40, 7, P=8, V=128)), 4)  # gap 25: 25 writes after it
    0.1417
    """
    d = validate("d", d)
    a = float(validate("a", a))
    if not 0.0 < a <= 1.0:
        raise ValueError(f"a must be in (0, 1], got {a}")
    if b is None and np.any(d <= 2):
        raise ValueError(f"d must be > 2 for b = 1/|k|^2, got {d[d <= 2].ravel()[0]}")
    if b is not None and not float(validate("b", b)) > 0:
        raise ValueError(f"b must be > 0, got {b}")
    P, V, qp, pr = _mqar_layout(P, V, query_pos, pair)
    rate = "normalized" if b is None else "constant"
    m = gated_delta_moments(rate, "finite")
    ww = {o: gated_delta_write_weight(o, rate) for o in ("newer", "older")}
    extra = {} if b is None else {"b": float(b)}
    d, qp, pr = np.broadcast_arrays(d, qp, pr)
    out = np.empty(d.shape)
    for idx in np.ndindex(out.shape):
        n_noise = int(qp[idx]) - 2 * P + 1
        ages = (P - 1 - np.arange(P)) + n_noise  # every pair's age in writes at the query
        j, dv = int(pr[idx]), float(d[idx])
        vals = dict(d=dv, a=a, age=int(ages[j]), L=P + n_noise, **extra)
        mu = float(m["mean"].evaluate(**vals))
        s_s, vf = np.sqrt(float(m["stored"].evaluate(**vals))), float(m["fresh"].evaluate(**vals))
        others = np.delete(ages, j)
        X = np.array([float(ww["newer" if o < ages[j] else "older"].evaluate(d=dv, a=a, age=int(ages[j]),
                                                                             age_o=int(o), **extra))
                      for o in others])
        s_f, s_o = np.sqrt(vf), np.sqrt(vf + (1 + 1 / dv) * X)  # (), (P - 1,)
        x = mu + s_s * _Z  # (Z,) the stored score
        log_win = (V - P) * np.log(np.maximum(ndtr(x / s_f), 1e-300)) \
            + np.log(np.maximum(ndtr(x[:, None] / s_o), 1e-300)).sum(axis=1)
        dens = np.exp(-_Z * _Z / 2) / np.sqrt(2 * np.pi)
        out[idx] = integrate.trapezoid(dens * np.exp(log_win), _Z)
    return float(out) if out.ndim == 0 else out


@register_derivation("kv-decay-recall-age")
def _derive_decay() -> Derivation:
    """Decaying Hebbian memory: crosstalk by age, SNR, window and the best decay."""
    d, lam, age, L, theta = _symbols()
    x, y, A = sp.Symbol("x", positive=True), sp.Symbol("y", positive=True), sp.Symbol("A", positive=True)
    win = sp.log(A / (1 - y)) / sp.log(y)
    steps = [
        Step("Score of the stored value of the pair of age a: lam^a |v_j|^2 |u_j|^2 + sum_{i != j} lam^(a_i) "
             "(v_j . v_i)(u_i . u_j); every cross term has a lone zero-mean vector, so the terms are uncorrelated "
             "and each other pair adds lam^(2 a_i) E(v.w)^2 E(u.w)^2 = lam^(2 a_i)/d^2", sp.Symbol("mean") -
             lam ** age),
        Step("Weight of the crosstalk, finite L (ages 0..L-1)", crosstalk_weight("finite").expr),
        Step("... and stationary (L -> inf)", crosstalk_weight("stationary").expr),
        Step("Stored-value variance (E|v|^4 = 1 + 2/d), stationary", score_variance("stored", "stationary").expr),
        Step("Fresh-value variance, stationary", score_variance("fresh", "stationary").expr),
        Step("SNR = lam^(2a) / (sum of the two variances)", snr("stationary").expr),
        Step("Age at which the SNR falls to theta (the window)", window().expr),
        Step("With y = lam^2 and A = 2 theta/(d^2 B), the window is", win),
        Step("Its stationarity condition in y (numerator of d/dy, set to 0)",
             sp.Eq(sp.simplify(sp.numer(sp.together(sp.diff(win, y))) * 1), 0)),
        Step("Leading order x = 1 - y -> 0 (ln y = -x): maximise ln(A/x)/x",
             sp.solve(sp.diff(sp.log(A / x) / x, x), x)),
        Step("Leading-order best window 1/(e A)", optimal_decay_leading()["window"].expr),
        Step("Gated delta rule, orthonormal keys in a cycle of M: read after the write (units of v)",
             gated_delta_fixed_point().expr),
    ]
    return Derivation("kv-decay-recall-age", "Memories that forget: recall versus age, window, best decay",
                      _SRC, steps)


@register_derivation("kv-gated-delta-recall-age")
def _derive_gated_delta() -> Derivation:
    """Gated delta rule: the stored and a fresh value's score by age, exact at finite d."""
    a, b, d, age, L = _gd_symbols()
    s, t, h, e, r, F = (sp.Symbol(n) for n in ("s", "t", "h", "e", "r", "F"))
    b1, b2, nu = sp.Symbol("b1"), sp.Symbol("b2"), sp.Symbol("nu")
    m = gated_delta_moments("normalized", "finite")
    R = a**2 * (1 - 2 * b1 / d + 2 * b2 / (d * (d + 2)))
    G = a**2 * (1 - 2 * b1 / d + b2 / d)
    steps = [
        Step("A later write (key k, value v_t, independent of the state) maps the score s = v^T W u to "
             "a s - a b (W^T v . k)(k . u) + b (v_t . v)(k . u)", sp.Symbol("s'") - (a * s)),
        Step("E b k k^T = b1 I/d: the mean gains rho per write (exact), with b1 = E b|k|^2", a * (1 - b1 / d)),
        Step("E b^2 (x.k)^2 (y.k)^2 = b2 (|x|^2 |y|^2 + 2 (x.y)^2)/(d(d+2)), b2 = E b^2 |k|^4: E s^2 per write, "
             "h = E |W^T v|^2 |u|^2, nu = E b^2 |k|^2", R * sp.Symbol("E s^2") + a**2 * b2 * h / (d * (d + 2))
             + nu / d**2),
        Step("h per write: E|(I - b k k^T) x|^2 = (1 - 2 b1/d + b2/d) |x|^2 plus the new value's projection",
             G * h + nu / d),
        Step("E|W u|^2 (d times the fresh variance) per write, e = E ||W||_F^2 |u|^2",
             R * r + a**2 * b2 * e / (d * (d + 2)) + nu / d),
        Step("||W||_F^2 per write (from W = 0: nu (1 - G^n)/(1 - G) after n writes)", G * F + nu),
        Step("Rate moments, b = 1/|k|^2 (|k|^2 ~ chi^2_d/d)", sp.Tuple(*gated_delta_rate_moments("normalized")
                                                                          .values())),
        Step("... and a constant b", sp.Tuple(*gated_delta_rate_moments("constant").values())),
        Step("Summing the geometric series from the pair's write (age 0): mean, b = 1/|k|^2", m["mean"].expr),
        Step("Stored-value variance, b = 1/|k|^2, L writes", m["stored"].expr),
        Step("Fresh-value variance, b = 1/|k|^2, L writes", m["fresh"].expr),
    ]
    return Derivation("kv-gated-delta-recall-age", "Gated delta rule: recall versus age (exact moments)", _GDN, steps)


def _phi(x):
    return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)


def _mqar_decay_differences(C: sp.Expr | None = None) -> Dict[str, sp.Expr]:
    """The SymPy checks of ``kv-decay-mqar-accuracy``, each a difference that simplifies to 0 when ``C`` (the
    crosstalk weight, :func:`mqar_crosstalk_weight` by default) is right.

    ``sum``: ``C`` against the sum written out term by term at ``P = 3``, ``newest = 2``, the middle pair;
    ``limit``: ``lam -> 1`` gives ``P + newest - 1``, the other writes of an outer-product memory of
    ``M = P + newest`` pairs; ``stored`` and ``fresh``: the scores' variances at ``lam -> 1`` against
    :func:`theory.kv_memory.readout_variance` at that ``M``.
    """
    from theory.kv_memory import readout_variance

    d, lam, age, newest, P, _ = _mqar_symbols()
    C = mqar_crosstalk_weight().expr if C is None else C
    ages_p, ages_n = (2, 4, 6), (0, 1)  # P = 3 pairs written at ages newest, newest + 2, newest + 4; noise at 0, 1
    written = sum(lam ** (2 * k) for k in ages_p + ages_n) - lam ** (2 * 4)
    at = {P: 3, newest: 2, age: 4}
    M = P + newest
    g = gaussian_moments()
    v4, c2 = g["E|v|^4"], g["E(v.w)^2"]
    C1 = sp.cancel(C.subs(at)).subs(lam, 1)  # a polynomial in lam once the geometric sums are cancelled
    var1 = {"stored": (v4 * v4 - 1) + C1 * c2 * c2, "fresh": v4 * c2 + C1 * c2 * c2}
    return {"sum": sp.cancel(C.subs(at) - written),
            "limit": sp.cancel(C1 - (M - 1).subs(at)),
            **{k: sp.cancel(var1[k] - readout_variance(k).expr.subs(sym("M"), M.subs(at))) for k in var1}}


@lru_cache(maxsize=None)
def _win_integral_slope() -> sp.Expr:
    """``d/dmu int phi(z) Phi((mu + sigma_s z)/sigma_f) dz``, integrated by SymPy (about 1.5 s, so cached)."""
    z, mu = sp.Symbol("z", real=True), sp.Symbol("mu", real=True)
    s, t = sp.Symbol("sigma_s", positive=True), sp.Symbol("sigma_f", positive=True)
    return sp.integrate(_phi(z) * _phi((mu + s * z) / t) / t, (z, -sp.oo, sp.oo))


def _gaussian_win_difference(f_weight: int = 1) -> sp.Expr:
    """d/dmu of ``int phi(z) Phi((mu + s z)/t) dz`` minus that of ``Phi(mu/sqrt(s^2 + f_weight t^2))`` (0 at
    ``f_weight = 1``: the one-distractor accuracy integral is the normal CDF of the margin over its total
    standard deviation; both vanish at ``mu -> -inf``)."""
    mu = sp.Symbol("mu", real=True)
    s, t = sp.Symbol("sigma_s", positive=True), sp.Symbol("sigma_f", positive=True)
    sd = sp.sqrt(s**2 + f_weight * t**2)
    return sp.simplify(sp.powsimp(_win_integral_slope() - _phi(mu / sd) / sd, combine="exp"))


def _accuracy_integral() -> sp.Expr:
    z, i = sp.Symbol("z", real=True), sp.Symbol("i", integer=True)
    mu, s_s, s_f = sp.Symbol("mu"), sp.Symbol("sigma_s", positive=True), sp.Symbol("sigma_f", positive=True)
    s_i, V, P = sp.Function("sigma"), sym("V"), sym("P")
    Phi = sp.Function("Phi")
    x = mu + s_s * z
    return sp.Integral(_phi(z) * Phi(x / s_f) ** (V - P) * sp.Product(Phi(x / s_i(i)), (i, 1, P - 1)),
                       (z, -sp.oo, sp.oo))


def _gd_mqar_difference(rate: str = "normalized", weights: Dict[str, sp.Expr] | None = None,
                        cases=((16, sp.Rational(9, 10), 3, 7), (8, sp.Rational(1, 2), 0, 4))) -> sp.Expr:
    """The SymPy check of ``kv-gated-delta-mqar-accuracy``: ``d`` times the fresh variance of
    :func:`gated_delta_moments` (finite ``L``) minus the sum over all ``L`` writes of their weights ``X_t``
    (:func:`gated_delta_write_weight` for the others, ``b2 q`` for the pair's own write), at each
    ``(d, a, age, L)`` of ``cases`` (rate ``b = 1/2`` when constant), in exact rationals; 0 when the
    per-write decomposition ``E|W u|^2 = sum_t X_t`` holds."""
    a, b, d, age, L = _gd_symbols()
    age_o = sp.Symbol("age_o", nonnegative=True)
    weights = weights or {o: gated_delta_write_weight(o, rate).expr for o in ("newer", "older")}
    m = gated_delta_rate_moments(rate)
    R = a**2 * (1 - 2 * m["b1"] / d + 2 * m["b2"] / (d * (d + 2)))
    G = a**2 * (1 - 2 * m["b1"] / d + m["b2"] / d)
    q = R**age + a**2 * m["b2"] / (d * (d + 2)) * (R**age - G**age) / (R - G)
    fresh = gated_delta_moments(rate, "finite")["fresh"].expr
    total = sp.S.Zero
    for dv, av, agev, Lv in cases:
        at = {d: dv, a: av, age: agev, L: Lv, b: sp.Rational(1, 2)}
        X = [weights["newer"].subs(age_o, k) for k in range(agev)] + [m["b2"] * q] \
            + [weights["older"].subs(age_o, k) for k in range(agev + 1, Lv)]
        total += sp.Abs(sp.nsimplify(sp.simplify((d * fresh - sum(X)).subs(at))))
    return total


@register_derivation("kv-decay-mqar-accuracy")
def _derive_decay_mqar() -> Derivation:
    """MQAR under the decaying memory (and the outer-product memory at lam = 1): the accuracy integral."""
    d, lam, age, newest, P, age_o = _mqar_symbols()
    diff = _mqar_decay_differences()
    steps = [
        Step("P pairs written at tokens 1, 3, ..., 2P - 1 and a noise pair at every later token: at the query the "
             "pairs' ages are newest, newest + 2, ..., newest + 2(P - 1); the weight of the other writes' "
             "crosstalk, sum lam^(2 age') over them", mqar_crosstalk_weight().expr),
        Step("SymPy check: against the sum written out at P = 3, newest = 2, the middle pair (age 4)",
             sp.Eq(sp.Symbol("difference"), diff["sum"], evaluate=False)),
        Step("Stored value (mean lam^age), exact at finite d", mqar_score_variance("stored").expr),
        Step("A never-stored value (mean 0)", mqar_score_variance("fresh").expr),
        Step("Another stored value, of age age_o (mean 0): its own pair adds lam^(2 age_o) (1/d + 1/d^2)",
             mqar_score_variance("other").expr),
        Step("At lam -> 1 the memory is the outer-product memory of M = P + newest pairs: C -> M - 1 "
             "(SymPy check, P = 3, newest = 2)", sp.Eq(sp.Symbol("difference"), diff["limit"], evaluate=False)),
        Step("... and the stored and fresh variances are theory.kv_memory.readout_variance at that M "
             "(SymPy check: the two differences)", sp.Tuple(diff["stored"], diff["fresh"])),
        Step("All cross terms hold a lone zero-mean vector, so the V scores are uncorrelated; treated as "
             "independent Gaussians, the stored value wins the argmax with probability",
             _accuracy_integral()),
        Step("SymPy check of the integral at one distractor: d/dmu [int phi(z) Phi((mu + sigma_s z)/sigma_f) dz "
             "- Phi(mu/sqrt(sigma_s^2 + sigma_f^2))], both 0 at mu -> -inf",
             sp.Eq(sp.Symbol("difference"), _gaussian_win_difference(), evaluate=False)),
        Step("mqar_accuracy averages the integral over r = |u_j|^2 ~ chi^2_d/d (24 quantile nodes), the scale "
             "the V scores share; given r, in units of r^2: the stored value's variance, a fresh value's, and "
             "what another stored value's own pair adds, lam^(2 age_o) E|v|^4 E(u_i . u_j)^2 less its crosstalk "
             "share", sp.Tuple(2 * lam ** (2 * age) / d + sp.Symbol("C") / (d**2 * sp.Symbol("r")),
                               lam ** (2 * age) / d + sp.Symbol("C") / (d**2 * sp.Symbol("r")),
                               lam ** (2 * age_o) * (1 + 1 / d) / (d * sp.Symbol("r")))),
        Step("The integral's error (theory.forgetting.mqar_gaussian_error): given r and y = W u_j a fresh score is "
             "exactly N(0, |y|^2/d), so P = E Phi(S/sqrt(T))^(V-P) ..., S = v_j . y, T = |y|^2/d; with x = |v_j|^2, "
             "q = sum c_i^2 g_i^2 and w ~ chi^2_(d-1): m = lam^age r sqrt(x) + sqrt(r q) g/d, S = sqrt(x) m and",
             sp.Symbol("T") - (sp.Symbol("m")**2 + sp.Symbol("r") * sp.Symbol("q") * sp.Symbol("w") / d**2) / d),
    ]
    return Derivation("kv-decay-mqar-accuracy", "MQAR under a decaying key-value memory: accuracy by gap",
                      _MQAR + "; Arora et al. 2023 (Zoology) for the task, Nadal et al. 1986 for the "
                      "signal-to-noise route", steps)


@register_derivation("kv-gated-delta-mqar-accuracy")
def _derive_gated_delta_mqar() -> Derivation:
    """MQAR under the gated delta rule: per-write weights of E|W u|^2 and the accuracy integral."""
    a, b, d, age, L = _gd_symbols()
    g = gaussian_moments()
    steps = [
        Step("W = sum_t b_t v_t k_t^T M_t with M_t the later writes' maps a (I - b k k^T); values independent "
             "of the keys and of one another, so E|W u|^2 = sum_t X_t, X_t = E b_t^2 (k_t^T M_t u)^2: a write "
             "newer than the pair of u (age_o < age)", gated_delta_write_weight("newer").expr),
        Step("... a write older than it (its map passes through the write of u itself; b = 1/|k|^2 erases "
             "the old read of u, eta = 0)", gated_delta_write_weight("older").expr),
        Step("... the pair's own write: b2 E(w^T N w)^2 with N the age maps after it; SymPy check: d times "
             "the exact fresh variance of gated_delta_moments minus the sum of the L weights, exactly, at "
             "(d, a, age, L) = (16, 9/10, 3, 7) and (8, 1/2, 0, 4), b = 1/|k|^2 and b = 1/2",
             sp.Eq(sp.Symbol("difference"), _gd_mqar_difference("normalized") + _gd_mqar_difference("constant"),
                   evaluate=False)),
        Step("Another stored value v_i scores |v_i|^2 b_i k_i^T M_i u + cross terms: the fresh variance plus "
             "(E|v|^4 - E(v.w)^2) X_i", sp.expand(g["E|v|^4"] - g["E(v.w)^2"])),
        Step("MQAR layout: P pair writes at the value tokens, a noise write at every token from 2P to the "
             "query: L = P + query_pos - 2P + 1 writes; the stored value's mean and variance from "
             "gated_delta_moments (finite L); the V scores treated as independent Gaussians",
             _accuracy_integral()),
        Step("SymPy check of the integral at one distractor (as in kv-decay-mqar-accuracy)",
             sp.Eq(sp.Symbol("difference"), _gaussian_win_difference(), evaluate=False)),
    ]
    return Derivation("kv-gated-delta-mqar-accuracy", "MQAR under the gated delta rule: accuracy by gap",
                      _GDN_MQAR + "; Arora et al. 2023 (Zoology) for the task", steps)
