"""One parameter-validation idea: ``_amlab.params.Param`` under the simulators, the theory, the estimators and
the training configurations, with the messages each has always shown."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from _amlab.params import Param, check_choice, check_int, check_real
from hopfield import _validate as hv
from theory import formula


def _raised(fn):
    with pytest.raises((TypeError, ValueError)) as info:
        fn()
    return info


def decided_by_floor(fn, monkeypatch) -> set:
    """The names of the ``Param`` declarations consulted while ``fn()`` refuses its input."""
    seen = set()
    for rule in ("fault", "below", "above"):
        original = getattr(Param, rule)

        def spy(self, *args, _original=original, **kwargs):
            seen.add(self.name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Param, rule, spy)
    _raised(fn)
    monkeypatch.undo()
    return seen


def _train():
    pytest.importorskip("jax")
    pytest.importorskip("optax")
    from simulations.train import icl, induction
    return icl, induction


def _estimator():
    from simulations.estimators import get_estimator
    return get_estimator("classical-bit-error")


def test_the_four_users_decide_through_the_floor(monkeypatch):
    icl, induction = _train()
    users = {
        "hopfield": (lambda: hv.as_int(0, "N", minimum=1), "N"),
        "theory": (lambda: formula.validate("beta", 0.0), "beta"),
        "estimators": (lambda: _estimator().validate({"N": 0}), "N"),
        "train": (lambda: dataclasses.replace(icl.QUICK, K=0).validate(), "K"),
        "train (induction)": (lambda: dataclasses.replace(induction.QUICK, ffn=1).validate(), "ffn"),
    }
    found = {user: name in decided_by_floor(fn, monkeypatch) for user, (fn, name) in users.items()}
    assert found == dict.fromkeys(users, True)

    # the probe can tell: a refusal decided on the spot consults no declaration
    def local():
        raise ValueError("N must be >= 1, got 0")
    assert decided_by_floor(local, monkeypatch) == set()
    # theory's domains are declarations of the same class
    assert all(isinstance(d, Param) for d in formula.DOMAINS.values()) and "rho" in formula.DOMAINS


# The messages below are those the libraries printed before they shared the floor (written from their former
# source, not from the output of the present code).
@pytest.mark.parametrize("call,kind,message", [
    (lambda: hv.as_int(1.5, "N"), TypeError, "N must be an integer, got 1.5 (float)"),
    (lambda: hv.as_int(True, "N"), TypeError, "N must be an integer, got True (bool)"),
    (lambda: hv.as_int(0, "N", minimum=1), ValueError, "N must be >= 1, got 0"),
    (lambda: hv.as_int(np.int64(11), "count", minimum=0, maximum=10), ValueError, "count must be <= 10, got 11"),
    (lambda: hv.as_float("x", "beta"), TypeError, "beta must be a real number, got 'x' (str)"),
    (lambda: hv.as_float(float("nan"), "beta"), ValueError, "beta must be finite, got nan"),
    (lambda: hv.as_float(0, "beta", minimum=0, strict=True), ValueError, "beta must be > 0, got 0.0"),
    (lambda: hv.as_float(-1, "T", minimum=0.0), ValueError, "T must be >= 0.0, got -1.0"),
    (lambda: hv.as_choice(1, "rule", {"sync", "async"}), TypeError, "rule must be one of ['async', 'sync'], got 1"),
    (lambda: hv.as_choice("x", "rule", ("sync", "async")), ValueError,
     "rule must be one of ['async', 'sync'], got 'x'"),
    (lambda: hv.as_seed(-1), ValueError, "seed must be >= 0, got -1"),
    (lambda: hv.as_flip_count(1.5, None, 10), ValueError, "fraction must lie in [0, 1], got 1.5"),
    (lambda: hv.as_flip_count(None, 11, 10), ValueError, "count must be <= 10, got 11"),
    (lambda: formula.validate("N", 1), ValueError, "N must be >= 2, got 1"),
    (lambda: formula.validate("beta", [1.0, 0.0]), ValueError, "beta must be > 0, got 0"),
    (lambda: formula.validate("rho", 0.5), ValueError, "rho must be in [0, 1/2), got 0.5"),
    (lambda: formula.validate("p_err", 0.5), ValueError, "p_err must be in the open interval (0, 0.5), got 0.5"),
    (lambda: formula.validate("q", -0.25), ValueError, "q must be in the open interval (0, 1), got -0.25"),
    (lambda: formula.validate("alpha_zipf", 1), ValueError, "alpha_zipf must be > 1, got 1"),
    (lambda: formula.check_int(2.0, "n", minimum=2), TypeError, "n must be an integer, got 2.0 (float)"),
    (lambda: formula.check_int(1, "n", minimum=2), ValueError, "n must be >= 2, got 1"),
    (lambda: formula.check_choice(3, "F", ("poly", "rectified")), ValueError,
     "F must be one of ['poly', 'rectified'], got 3"),
    (lambda: _estimator().validate({"N": 1}), ValueError, "parameter N=1: expected int >= 2"),
    (lambda: _estimator().validate({"N": 100.5}), ValueError, "parameter N=100.5: expected an integer (int >= 2)"),
    (lambda: _estimator().validate({"alpha": float("inf")}), ValueError,
     "parameter alpha=inf: expected a finite float > 0 or none"),
])
def test_messages_are_the_ones_users_saw(call, kind, message):
    info = _raised(call)
    assert info.type is kind and str(info.value) == message


@pytest.mark.parametrize("which,change,kind,message", [
    ("icl", {"K": 0}, ValueError, "K must be >= 1, got 0"),
    ("icl", {"K": 2.0}, TypeError, "K must be an integer, got 2.0"),
    ("icl", {"eps": "x"}, TypeError, "eps must be a number, got 'x'"),
    ("icl", {"eps": float("nan")}, ValueError, "eps must be a finite number >= 0, got nan"),
    ("icl", {"lr": -1}, ValueError, "lr must be a finite number >= 0, got -1"),
    ("icl", {"p_B": 1.5}, ValueError, "p_B must be in [0, 1], got 1.5"),
    ("icl", {"lr": 0.0}, ValueError, "lr must be > 0, got 0.0"),
    ("icl", {"target": 2, "lr": 0}, ValueError, "target must be in [0, 1], got 2"),  # upper bounds first
    ("icl", {"optimizer": "x", "steps": 1001}, ValueError,
     "steps must be a multiple of eval_every=100, got 1001"),  # the step count before the words
    ("icl", {"novel": "x"}, ValueError, "novel must be one of ('redraw', 'pool'), got 'x'"),
    ("induction", {"ffn": 1}, TypeError, "ffn must be True or False, got 1"),
    ("induction", {"ffn": np.True_}, TypeError, f"ffn must be True or False, got {np.True_!r}"),
    ("induction", {"init_scale": -0.5}, ValueError, "init_scale must be a finite number >= 0, got -0.5"),
    ("induction", {"bigram": "w", "steps": 601}, ValueError, "bigram must be one of ('text', 'synthetic'), got 'w'"),
    ("induction", {"V": 3}, ValueError, "V must be >= 4, got 3"),
])
def test_training_config_messages(which, change, kind, message):
    mod = dict(zip(("icl", "induction"), _train()))[which]
    info = _raised(lambda: dataclasses.replace(mod.QUICK, **change).validate())
    assert info.type is kind and str(info.value) == message


def test_param_bounds_and_words():
    p = Param("rho", "float", 0.0, "", minimum=0, maximum=0.5, strict_max=True)
    assert p.describe() == "float >= 0 and < 0.5" and p.range_text() == "in [0, 0.5)"
    assert [p.fault(v) for v in (0.0, 0.49, 0.5, -0.1, "x")] == [None, None, "maximum", "minimum", "type"]
    assert p.coerce(0) == 0.0 and type(p.coerce(0)) is float
    with pytest.raises(ValueError, match=r"parameter rho=0\.5: expected float >= 0 and < 0\.5"):
        p.coerce(0.5)
    arr = np.array([-1.0, 0.0, 0.5])
    assert (p.below(arr) | p.above(arr)).tolist() == [True, False, True]
    assert Param("Delta", "float", 0.0, "").range_text() == "finite"
    # exact types for the library's wording, canonical forms for the command line's
    n = Param("N", "int", 10, "", minimum=1)
    assert n.coerce(1e3) == 1000 and n.fault(1e3, exact=True) == "type"
    assert check_int(10**400, "N") == 10**400  # an integer too large for a float is still an integer
    assert check_real(np.float32(0.5), "x") == 0.5 and check_choice("a", "c", ["a"]) == "a"
    with pytest.raises(ValueError, match="parameter N=0: expected int >= 1"):
        Param("N", "int", 0, "", minimum=1)  # a declaration that refuses its own default


def test_bound_is_printed_as_given_whatever_was_declared_before():
    # The declarations behind check_real/check_int are cached; 0 and 0.0 are equal keys unless the cache
    # is typed, and then one caller's bound would print in another caller's message.
    from _amlab.params import check_real

    with pytest.raises(ValueError, match=r"^beta must be > 0\.0, got 0\.0$"):
        check_real(0, "beta", minimum=0.0, strict=True)
    with pytest.raises(ValueError, match=r"^beta must be > 0, got 0\.0$"):
        check_real(0, "beta", minimum=0, strict=True)
