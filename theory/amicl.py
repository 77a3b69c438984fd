"""Closed forms for AMICL, the associative-memory model of in-context classification.

Setting (Burns, Fukai & Earls, arXiv:2412.15113, Sec. 3; ``hopfield.amicl``): a
sequence of ``C`` exemplar-label pairs, then the query exemplar ``w`` and a
masked (zero) label; tokens are Gaussian in ``R^D`` (class and label vectors
N(0, I/D), exemplars ``(mu + eps eta)/sqrt(1 + eps^2)``). Queries and keys mix
the previous token, ``h_t = (a z_{t-1} + z_t)/(a+1)`` with ``z_{-1} = 0``; the
query is ``q = a w/(a+1)``; the query's own key is noise N(0, I/D); values are
the tokens; one argmax step retrieves a token.

With dot-product similarity, the score of key ``t`` is
``q . k_t = a/(a+1)^2 (a u_{t-1} + u_t)`` with ``u_t = w . z_t``. Drop the
positive factor: the correct label (pair ``i``) scores ``a u_{2i} + u_{2i+1}``
with ``u_{2i} = w . x_i ~ |mu|^2``, its own exemplar ``a u_{2i-1} + u_{2i}``
and the query's exemplar ``a u_{2C-1} + |w|^2``. Everything else is noise of
order ``1/sqrt(D)``.

Functions here return plain numbers / numpy arrays or SymPy expressions; every
derivation worth reading is registered (``amlab derive amicl-...``).

References
----------
M. Burns, T. Fukai, C. Earls, arXiv:2412.15113 (2024), Sec. 3 (model) and the
authors' notebook (spot checks). The closed forms below are derived here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import sympy as sp
from scipy import stats

from theory.derivation import Derivation, Named, Step, register_derivation
from theory.formula import Formula, sym

_SRC = "Burns, Fukai & Earls, arXiv:2412.15113, Sec. 3 (model); closed form derived here"

__all__ = [
    "switch_point",
    "accuracy_at_switch",
    "accuracy_large_D",
    "pearson_ceiling",
    "softmax_weight",
    "accuracy_exact",
    "ExactSettings",
]


# ----------------------------------------------------------------------------- symbols
a, D, m, C, beta, eps, z, T = sp.symbols("a D m C beta epsilon z T", positive=True)


def switch_point() -> sp.Expr:
    """The mixing weight at which the retrieved token switches from exemplar to label: ``a = 1``.

    For ``D -> inf`` the correct label's key scores ``a^2/(a+1)^2 |w|^2`` and
    the exemplar keys of the query's class ``a/(a+1)^2 |w|^2`` (Burns et al.
    2024, Sec. 3: "previous-token mixing"); they are equal at ``a = 1``.

    Returns
    -------
    sympy.Expr
        The positive root of ``a^2 = a``, i.e. ``1``.

    Examples
    --------
    >>> switch_point()
    1
    """
    sols = sp.solve(sp.Eq(a**2 / (a + 1) ** 2, a / (a + 1) ** 2), a)
    return sols[0]


def accuracy_at_switch(shared_labels: bool = False) -> Formula:
    """Accuracy at ``a = 1`` with ``m`` copies of the query class in context (``D -> inf``, ``eps -> 0``) [m].

    At ``a = 1`` every key holding an exemplar of the query class scores
    ``|w|^2`` plus the overlap of ``w`` with the token next to it; those
    overlaps are i.i.d. ``N(0, |w|^2/D)`` when they involve different vectors. The
    candidates are the ``m`` label keys, the ``m`` exemplar keys and the query's
    own exemplar key.

    * ``shared_labels=False`` (Burns et al. 2024; docs/references.md, icl): each label copy carries its
      own independent noise, ``2m + 1`` exchangeable candidates of which ``m``
      are correct: ``m/(2m+1)``.
    * ``shared_labels=True`` (the generator of ``hopfield.amicl``, one label
      vector per class): the ``m`` label keys share ``w . l`` and act as one
      candidate against ``m + 1`` others: ``1/(m+2)`` (when no two copies are
      adjacent and none is in the first or the last context pair).

    Both give 1/3 for ``m = 1``; see ``amlab derive amicl-switch`` for the
    finite-``eps`` and last-pair corrections.

    Examples
    --------
    >>> accuracy_at_switch().expr
    m/(2*m + 1)
    >>> float(accuracy_at_switch().evaluate(m=1)), float(accuracy_at_switch(shared_labels=True).evaluate(m=2))
    (0.3333333333333333, 0.25)
    """
    m_ = sp.Symbol("m", positive=True, integer=True)
    return Formula(
        name="amicl.accuracy_at_switch" + ("_shared" if shared_labels else ""),
        expr=1 / (m_ + 2) if shared_labels else m_ / (2 * m_ + 1),
        symbols=(m_,),
        source=_SRC,
        assumptions="a = 1, D -> inf, eps -> 0; " + ("one label vector per class; copies neither adjacent nor "
                                                     "in the first or last pair" if shared_labels else
                                                     "independent noise on each of the 2m + 1 candidates"),
        definition="P(argmax retrieves a label of the query class)",
        integer_args=("m",),
    )


def _phi(x):
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def accuracy_large_D(a_values: npt.ArrayLike, D_values: npt.ArrayLike, n_nodes: int = 2001) -> np.ndarray:
    """Simple large-D accuracy ``P(a, D) = int phi(z) Phi((a - 1 + sigma z)/(a sigma))^2 dz``, ``sigma = D^-1/2``.

    Only the label and its two closest competitors (the query-class exemplar
    key and the query's own exemplar key) are kept, with ``|w|^2 = w . x_i = 1``:
    the label beats each competitor iff ``(a-1) + sigma z_0 - a sigma z_k > 0``
    with ``z_0 = sqrt(D) w . l_i`` shared and ``z_1, z_2`` independent.

    Parameters
    ----------
    a_values : float or ndarray
        Mixing weights ``a > 0``.
    D_values : float or ndarray
        Dimensions (broadcast with ``a_values``).
    n_nodes : int
        Points of the trapezoid rule on ``z in [-10, 10]``.

    Returns
    -------
    ndarray
        Predicted accuracy, broadcast shape of the inputs.

    Notes
    -----
    It ignores the other classes' keys and the fluctuations of ``|mu|^2``, so it
    overestimates at small ``D`` (see ``accuracy_exact``).

    Examples
    --------
    >>> np.round(accuracy_large_D([0.9, 1.1, 1.2, 1.3, 1.5], 100), 3).tolist()
    [0.113, 0.613, 0.827, 0.937, 0.995]
    """
    av = np.asarray(a_values, dtype=float)
    dv = np.asarray(D_values, dtype=float)
    av, dv = np.broadcast_arrays(av, dv)
    zs = np.linspace(-10.0, 10.0, n_nodes)
    sig = 1.0 / np.sqrt(dv)[..., None]
    arg = (av[..., None] - 1.0 + sig * zs) / (av[..., None] * sig)
    integrand = _phi(zs) * stats.norm.cdf(arg) ** 2
    return np.trapezoid(integrand, zs, axis=-1) if hasattr(np, "trapezoid") else np.trapz(integrand, zs, axis=-1)


def pearson_ceiling() -> Formula:
    """Largest accuracy with Pearson (or cosine) similarity: ``1 - 1/C`` for ``C`` context pairs [C].

    With ``z_{-1} = 0`` the key at position 0 is ``x_0/(a+1)``, parallel to the
    first exemplar. A scale-free similarity ignores the ``1/(a+1)``: when the
    query's class sits in the first pair (probability ``1/C`` with one copy) this
    key correlates ~``1/(1+eps^2)`` with the query, more than any label key,
    ``a/sqrt(1+a^2)/(1+eps^2)``, so the exemplar is retrieved for every ``a``
    (``D -> inf``). For ``C = 9`` (``T = 20``) the ceiling is ``8/9 = 0.889``.

    Examples
    --------
    >>> pearson_ceiling().expr
    1 - 1/C
    >>> round(float(pearson_ceiling().evaluate(C=9)), 4)
    0.8889
    """
    C_ = sp.Symbol("C", positive=True, integer=True)
    return Formula(
        name="amicl.pearson_ceiling",
        expr=1 - 1 / C_,
        symbols=(C_,),
        source=_SRC,
        assumptions="Pearson or cosine similarity, z_{-1} = 0, one copy of the query class, D -> inf",
        definition="upper bound on P(argmax retrieves the query's label)",
        integer_args=("C",),
    )


def softmax_weight() -> Formula:
    """Softmax weight on the correct label, ``D -> inf``, one copy, distinct classes [a, beta, T, epsilon].

    Scores ``q . k_t`` tend to ``a^2 r/(a+1)^2`` (the label, ``r = 1/(1+eps^2)``),
    ``a r/(a+1)^2`` (the query-class exemplar), ``a/(a+1)^2`` (the query's own
    exemplar, ``|w|^2 = 1``) and 0 for the ``T - 3`` other keys (noise key
    included):

    ``w* = e^{beta a^2 r/(a+1)^2} / (e^{beta a^2 r/(a+1)^2} + e^{beta a r/(a+1)^2} + e^{beta a/(a+1)^2} + T - 3)``.

    Examples
    --------
    >>> round(float(softmax_weight().evaluate(a=2.0, beta=10.0, T=20, epsilon=0.1)), 4)
    0.698
    """
    a_, b_, T_, e_ = sp.Symbol("a", positive=True), sym("beta"), sp.Symbol("T", positive=True, integer=True), \
        sp.Symbol("epsilon", nonnegative=True)
    r = 1 / (1 + e_**2)
    sl = b_ * a_**2 * r / (a_ + 1) ** 2
    se = b_ * a_ * r / (a_ + 1) ** 2
    sq = b_ * a_ / (a_ + 1) ** 2
    return Formula(
        name="amicl.softmax_weight",
        expr=sp.exp(sl) / (sp.exp(sl) + sp.exp(se) + sp.exp(sq) + T_ - 3),
        symbols=(a_, b_, T_, e_),
        source=_SRC,
        assumptions="dot-product scores, D -> inf, one copy of the query class, distinct classes",
        definition="softmax attention weight on the correct label token",
        integer_args=("T",),
    )


# ----------------------------------------------------------------------------- exact computation
@dataclass(frozen=True)
class ExactSettings:
    """Quadrature sizes of ``accuracy_exact``.

    The defaults agree with settings twice as fine in every direction to within
    1.5e-3 (measured at D = 20 and 100, a in {1, 1.25, 2}; ``tests/test_amicl_theory.py``).
    """

    n_R: int = 24  # quantile midpoints of |w|^2 ~ chi^2_D / D
    n_u: int = 241  # grid of one standardized token overlap on [-u_max, u_max]
    u_max: float = 8.0
    n_c: int = 161  # grid of the threshold (the correct label's score)
    n_xy: int = 121  # grid per axis of the label's two own Gaussians


def _cum(f, h):
    """Cumulative trapezoid along the last axis, starting at 0."""
    out = np.zeros_like(f)
    out[..., 1:] = np.cumsum(0.5 * (f[..., 1:] + f[..., :-1]) * h, axis=-1)
    return out


def _interp_rows(table, x0, h, x):
    """Linear interpolation of each row of ``table`` (uniform grid from x0, step h) at ``x`` (same rows)."""
    n = table.shape[-1]
    pos = np.clip((x - x0) / h, 0.0, n - 1.0)
    i = np.minimum(pos.astype(np.int64), n - 2)
    frac = pos - i
    lo = np.take_along_axis(table, i, axis=-1)
    hi = np.take_along_axis(table, i + 1, axis=-1)
    return lo + frac * (hi - lo)


def _bilinear(table, c0, hc, cq, x0, hx, xq):
    """``table[b, c, x]`` on uniform grids (per batch ``b``: start ``c0[b]``, step ``hc[b]``; ``x`` shared),
    interpolated at points ``(cq, xq)`` of shape (B, ...)."""
    nb, nc, nx = table.shape
    extra = (1,) * (cq.ndim - 1)
    pc = np.clip((cq - c0.reshape((nb,) + extra)) / hc.reshape((nb,) + extra), 0.0, nc - 1.0)
    px = np.clip((xq - x0) / hx, 0.0, nx - 1.0)
    ic = np.minimum(pc.astype(np.int64), nc - 2)
    ix = np.minimum(px.astype(np.int64), nx - 2)
    fc, fx = pc - ic, px - ix
    ib = np.arange(nb).reshape((nb,) + extra)
    t00 = table[ib, ic, ix]
    t01 = table[ib, ic, ix + 1]
    t10 = table[ib, ic + 1, ix]
    t11 = table[ib, ic + 1, ix + 1]
    return (1 - fc) * ((1 - fx) * t00 + fx * t01) + fc * ((1 - fx) * t10 + fx * t11)


def _accuracy_given_r(a_, r, n_pairs, tau, s2, st: ExactSettings):
    """P(correct | sqrt(D |w|^2) = r) for each r of shape (B,), averaged over the query-class pair's position."""
    Cp = n_pairs
    rr = r[:, None, None]  # (B, 1, 1)
    u = np.linspace(-st.u_max, st.u_max, st.n_u)
    hu = u[1] - u[0]
    phi_u = _phi(u)
    # The correct label's score S = a (r/s2 + tau E) + Y; its range fixes the threshold grid (B, n_c).
    sd_s = np.sqrt((a_ * tau) ** 2 + 1.0)
    cgrid = a_ * r[:, None] / s2 + np.linspace(-8 * sd_s, 8 * sd_s, st.n_c)[None, :]
    hc = cgrid[:, 1] - cgrid[:, 0]
    cc = cgrid[:, :, None]  # (B, n_c, 1)
    # Left chain (positions before the query-class pair): F_t[c, x] = P(prefix ok, u_t <= x).
    # f_0(u) = phi(u) 1[u < c]; f_t(u) = phi(u) F_{t-1}((c - u)/a).
    left = []  # left[k - 1]: the table after k free variables
    F = _cum(phi_u * (u < cc), hu)  # (B, n_c, n_u)
    left.append(F)
    for _ in range(2 * Cp - 3):
        F = _cum(phi_u * _interp_rows(F, u[0], hu, np.broadcast_to((cc - u) / a_, F.shape)), hu)
        left.append(F)
    # Right chain (positions after the label, ending at the query's exemplar, |w|^2 standardized = r):
    # g_last(u) = 1[a u + r < c]; g_t(u) = G_{t+1}(c - a u), G(x) = int_{-inf}^x phi g.
    right = [None]
    g = ((a_ * u + rr) < cc).astype(float)
    for _ in range(2 * Cp - 2):
        G = _cum(phi_u * g, hu)
        right.append(G)
        g = _interp_rows(G, u[0], hu, np.broadcast_to(cc - a_ * u, G.shape))
    # The label's own Gaussians: E (exemplar noise) and Y (label overlap), on a grid.
    xs = np.linspace(-7.0, 7.0, st.n_xy)
    wx = _phi(xs) * (xs[1] - xs[0])
    E, Y = np.meshgrid(xs, xs, indexing="ij")
    W = wx[:, None] * wx[None, :]
    v = rr / s2 + tau * E  # (B, n_xy, n_xy): u_{2i}, the query-class exemplar's overlap
    S = a_ * v + Y
    noise_ok = stats.norm.cdf(S / (a_ + 1.0))
    total = np.zeros(r.shape[0])
    for i in range(Cp):
        # left: 2i free variables u_0..u_{2i-1}; constraint on s_{2i} = a u_{2i-1} + v < S.
        if i == 0:
            L = (v < S).astype(float)
        else:
            L = _bilinear(left[2 * i - 1], cgrid[:, 0], hc, S, u[0], hu, (S - v) / a_)
        # right: 2(Cp-1-i) free variables; first constraint a Y + u_{2i+2} < S.
        k = 2 * (Cp - 1 - i)
        if k == 0:
            R_ = ((a_ * Y + rr) < S).astype(float)
        else:
            R_ = _bilinear(right[k], cgrid[:, 0], hc, S, u[0], hu, S - a_ * Y)
        total += np.sum(W * L * R_ * noise_ok, axis=(1, 2))
    return total / Cp


def accuracy_exact(a_values: npt.ArrayLike, D_value: int, T_value: int = 20, eps_value: float = 0.1,
                   settings: ExactSettings = ExactSettings()) -> np.ndarray:
    """Accuracy of AMICL (dot product, argmax) for trials whose context classes are distinct.

    Exact up to quadrature: no Monte Carlo, no large-D approximation.

    Parameters
    ----------
    a_values : float or ndarray
        Mixing weights ``a > 0``.
    D_value : int
        Dimension ``D``.
    T_value : int
        Sequence length (even); ``C = T/2 - 1`` context pairs.
    eps_value : float
        Within-class noise.
    settings : ExactSettings
        Quadrature sizes.

    Returns
    -------
    ndarray of float, shape of ``a_values``

    Notes
    -----
    Condition on the query exemplar ``w``. Every other token is independent of
    ``w`` except the one exemplar of the query's class, so the overlaps
    ``u_t = w . z_t`` are independent N(0, rho^2), ``rho^2 = |w|^2/D``, except
    ``u_{2i} = w . x_i ~ N(|w|^2/(1+eps^2), rho^2 tau^2)`` with
    ``tau^2 = eps^2 (2 + eps^2)/(1 + eps^2)^2`` (from ``mu | w ~ N(w/s, eps^2/(s^2 D) I)``,
    ``s^2 = 1 + eps^2``) and the query's own ``u = |w|^2``. The scores
    ``s_t = a u_{t-1} + u_t`` form a chain; given the correct label's two
    overlaps, the probability that every other score is lower factorizes into a
    left chain, a right chain and the noise key, each computed by a one-step
    transfer recursion ``f_t(u) = phi(u) F_{t-1}((c - u)/a)`` on a grid. Then
    integrate over those two overlaps (a 2-D grid), over the position ``i`` of the
    query-class pair (uniform) and over ``|w|^2 ~ chi^2_D/D`` (quantile
    midpoints). This includes every other class's exemplar and label key and the
    fluctuation of ``|mu|^2`` that ``accuracy_large_D`` leaves out.

    Examples
    --------
    >>> p = accuracy_exact([1.5, 2.0], 100)
    >>> bool(abs(p[1] - 1.0) < 1e-3 and 0.98 < p[0] < 1.0)
    True
    """
    av = np.atleast_1d(np.asarray(a_values, dtype=float))
    if np.any(av <= 0) or not np.all(np.isfinite(av)):
        raise ValueError(f"a_values must be finite and > 0, got {a_values!r}")
    if int(T_value) != T_value or T_value < 4 or int(T_value) % 2:
        raise ValueError(f"T_value must be an even integer >= 4, got {T_value!r}")
    if D_value < 1:
        raise ValueError(f"D_value must be >= 1, got {D_value!r}")
    Cp = int(T_value) // 2 - 1
    s2 = 1.0 + eps_value**2
    tau = eps_value * np.sqrt(2.0 + eps_value**2) / s2
    qs = (np.arange(settings.n_R) + 0.5) / settings.n_R
    Rs = stats.chi2.ppf(qs, D_value) / D_value
    r = np.sqrt(Rs * D_value)
    # Chunks of |w|^2 nodes keep the 4C tables of (n_c, n_u) below about 200 MB.
    chunk = max(1, int(2e8 // (8 * settings.n_c * settings.n_u * 4 * Cp)))
    out = np.empty(av.shape)
    for j, aj in enumerate(av):
        parts = [_accuracy_given_r(aj, r[i:i + chunk], Cp, tau, s2, settings) for i in range(0, r.size, chunk)]
        out[j] = np.mean(np.concatenate(parts))
    return out.reshape(np.shape(a_values)) if np.ndim(a_values) else out[0]


# ----------------------------------------------------------------------------- derivations
@register_derivation("amicl-switch")
def derive_switch() -> Derivation:
    """AMICL: the switch from exemplar to label at a = 1 and the accuracy there."""
    u_prev, u_t, r = sp.symbols("u_{t-1} u_t r", real=True)
    q = a / (a + 1)
    score = sp.Function("s")
    label = sp.simplify(q * (a * r + 0) / (a + 1))
    exemplar = sp.simplify(q * (0 + r) / (a + 1))
    return Derivation(
        "amicl-switch",
        "AMICL: which token the query retrieves, and the accuracy at the switch",
        "Burns, Fukai & Earls, arXiv:2412.15113, Sec. 3 (model); derived here",
        [
            Step("Keys mix the previous token; the query is the masked label's position, so q = a w/(a+1).",
                 sp.Eq(score(u_t), q * (a * u_prev + u_t) / (a + 1))),
            Step("D -> inf: the label after an exemplar of the query's class has u_{t-1} = r = |w|^2, u_t = 0.",
                 sp.Eq(sp.Symbol("s_label"), label)),
            Step("The exemplar itself has u_{t-1} = 0 (a label of another class), u_t = r.",
                 sp.Eq(sp.Symbol("s_exemplar"), exemplar)),
            Step("They are equal at the switch point.", sp.Eq(a, switch_point())),
            Step("At a = 1, 2m + 1 candidates tie to leading order (m labels, m exemplars, the query's "
                 "own exemplar); with independent noise per candidate, m of them are correct.",
                 sp.Eq(sp.Symbol("P_switch"), accuracy_at_switch().expr)),
            Step("With one label vector per class the m label keys share their noise: one candidate "
                 "against m + 1.", sp.Eq(Named("P_switch_shared", r"P_{\mathrm{switch,shared}}"), accuracy_at_switch(True).expr)),
            Step("m = 1, eps -> 0+: when the query's pair is the last context pair (probability 1/C) the "
                 "query's own exemplar key a l_i + w carries the same label overlap as the correct key; "
                 "they split by the exemplar noise, 1/2 each, so",
                 sp.Eq(Named("P_switch_C", r"P_{\mathrm{switch},C}"), sp.simplify((C - 1) / (3 * C) + 1 / (4 * C)))),
            Step("At fixed eps and D -> inf, |w|^2 exceeds w.x_i by eps^2/(1+eps^2) while the noise "
                 "shrinks as D^-1/2: the query's own exemplar wins and P(a = 1) -> 0; accuracy_exact "
                 "gives at D = 100, eps = 0.1, C = 9:",
                 sp.Eq(Named("P_exact(a=1)", r"P_{\mathrm{exact}}(a=1)"), sp.Float(float(accuracy_exact(1.0, 100, 20, 0.1)), 3))),
        ],
    )


@register_derivation("amicl-large-D")
def derive_large_D() -> Derivation:
    """AMICL: the one-dimensional integral P(a, D) for large D."""
    z0, z1, sig = sp.symbols("z_0 z_1 sigma", real=True)
    Phi = sp.Function("Phi")
    phi = sp.Function("phi")
    diff = (a * 1 + sig * z0) - (1 + a * sig * z1)
    cond = sp.solve(sp.Gt(diff, 0), z1)
    return Derivation(
        "amicl-large-D",
        "AMICL: accuracy for large D from the label and its two nearest competitors",
        "Burns, Fukai & Earls, arXiv:2412.15113, Sec. 3 (setting); derived here",
        [
            Step("Scores (times (a+1)^2/a), |w|^2 = w.x_i = 1, sigma = 1/sqrt(D), z ~ N(0, 1): "
                 "label a + sigma z_0; exemplar 1 + a sigma z_1; query's exemplar 1 + a sigma z_2.",
                 sp.Eq(sp.Symbol("s_label") - sp.Symbol("s_exemplar"), sp.expand(diff))),
            Step("The label beats one competitor iff", cond),
            Step("Given z_0 the two competitors are independent: square and integrate over z_0.",
                 sp.Eq(sp.Symbol("P"), sp.Integral(phi(z) * Phi((a - 1 + sig * z) / (a * sig)) ** 2,
                                                   (z, -sp.oo, sp.oo)))),
            Step("D -> inf (sigma -> 0): a step from 0 to 1 at a = 1; at a = 1 the integral is "
                 "P(z_0 > z_1, z_0 > z_2) = 1/3.",
                 sp.Eq(sp.Symbol("P(a=1)"), sp.Rational(1, 3))),
        ],
    )


@register_derivation("amicl-pearson-softmax")
def derive_pearson_softmax() -> Derivation:
    """AMICL: the Pearson ceiling and the finite-beta weight on the correct label."""
    return Derivation(
        "amicl-pearson-softmax",
        "AMICL: Pearson-similarity ceiling 1 - 1/C and the softmax weight on the correct label",
        "Burns, Fukai & Earls, arXiv:2412.15113, Sec. 3 (Pearson plateau near 0.87); derived here",
        [
            Step("Cosine of the query with the position-0 key x_0/(a+1) when x_0 is of the query's "
                 "class, versus with the label key (a x_i + l_i)/(a+1):",
                 sp.Tuple(1 / (1 + eps**2), a / sp.sqrt(1 + a**2) / (1 + eps**2))),
            Step("The first is larger for every a, since a/sqrt(1 + a^2) < 1; the query's class sits in "
                 "the first pair with probability 1/C, so the accuracy is capped at",
                 sp.Eq(sp.Symbol("P_max"), pearson_ceiling().expr)),
            Step("Softmax readout, D -> inf: weight on the correct label among T keys.",
                 sp.Eq(sp.Symbol("w^*"), softmax_weight().expr)),
            Step("beta -> inf with a > 1 recovers the argmax readout.",
                 sp.Eq(Named("w^*(beta->oo, a=2)", r"w^{*}(\beta \to \infty, a=2)"), _softmax_limit())),
        ],
    )


@register_derivation("amicl-exact")
def derive_exact() -> Derivation:
    """AMICL: the exact accuracy at finite D as a chain of one-step recursions."""
    u, c = sp.symbols("u c", real=True)
    f = sp.Function("f")
    F = sp.Function("F")
    phi = sp.Function("phi")
    s = sp.sqrt(1 + eps**2)
    return Derivation(
        "amicl-exact",
        "AMICL at finite D: condition on the query, then a transfer recursion along the sequence",
        "Burns, Fukai & Earls, arXiv:2412.15113, Sec. 3 (setting); derived here",
        [
            Step("Conditional class vector given the query exemplar w (joint Gaussian, Cov(mu, w) = I/(sD)).",
                 sp.Tuple(Named("E[mu|w]", r"E[\mu | w]") - sp.Symbol("w") / s, eps**2 / (s**2 * D))),
            Step("Overlap of w with the context exemplar of its class: mean |w|^2/s^2, variance rho^2 tau^2 with",
                 sp.Eq(sp.Symbol("tau") ** 2, sp.simplify(eps**2 * (2 + eps**2) / (1 + eps**2) ** 2))),
            Step("Every other overlap is i.i.d. N(0, rho^2), rho^2 = |w|^2/D; the scores "
                 "s_t = a u_{t-1} + u_t form a chain. Below a threshold c, the left chain obeys",
                 sp.Eq(f(u), phi(u) * F((c - u) / a))),
            Step("F is the cumulative of the previous f; the right chain runs the same recursion backwards. "
                 "The noise key scores (a+1) rho N: the factor", stats_noise_factor()),
            Step("Average over the two overlaps of the label, its position k = 1..C (1/C each) and "
                 "R = |w|^2 ~ chi^2_D/D (density f_D); P_k(a, R) is the product of the left and right chain probabilities "
                 "below the label's score, integrated over that score:",
                 sp.Eq(sp.Symbol("P_exact"), sp.Integral(
                     sp.Symbol("D") * sp.Function("f_D")(sp.Symbol("D") * sp.Symbol("R"))
                     * sp.Sum(sp.Function("P_k")(a, sp.Symbol("R")), (sp.Symbol("k"), 1, C)) / C,
                     (sp.Symbol("R"), 0, sp.oo)))),
            Step("Evaluated by quadrature (accuracy_exact) at a = 2, D = 100, eps = 0.1, C = 9:",
                 sp.Eq(Named("P_exact(a=2)", r"P_{\mathrm{exact}}(a=2)"), sp.Float(float(accuracy_exact(2.0, 100, 20, 0.1)), 4))),
        ],
    )


def _softmax_limit() -> sp.Expr:
    f = softmax_weight()
    a_, b_, _, e_ = f.symbols
    return sp.limit(f.expr.subs({a_: 2, e_: 0}), b_, sp.oo)


def stats_noise_factor() -> sp.Expr:
    """``Phi(c / (a + 1))``: probability that the noise key scores below ``c`` (standardized units)."""
    c = sp.Symbol("c", real=True)
    return sp.Function("Phi")(c / (a + 1))
