"""The runnable examples in the docstrings of every module stay correct."""

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

PACKAGES = ["_amlab", "hopfield", "theory", "simulations", "figures", "amlab"]


def _modules():
    names = []
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        names.append(pkg)
        for info in pkgutil.walk_packages(mod.__path__, prefix=pkg + "."):
            if not info.name.endswith("__main__"):
                names.append(info.name)
    return sorted(names)


MODULES = _modules()

#: Examples that each compile JAX programs of their own (a training run, an eagerly traced sampler or model),
#: several seconds apiece, for what tests/test_train_*.py check anyway: run with -m slow (CI runs them).
#: ``simulations.train.induction`` stays: its example compiles the program that tests/test_train_induction.py's
#: smoke run reuses in the same process.
SLOW = {"simulations.train.icl", "simulations.train.bursty", "simulations.train.model",
        "simulations.train.induction_model", "simulations.train.induction", "simulations.train.lm",
        "simulations.train.mqar", "simulations.train.mqar_data", "simulations.train.mqar_model"}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in MODULES])
def test_docstring_examples(name):
    if name.startswith("simulations.train.") and importlib.util.find_spec("jax") is None:
        pytest.skip("simulations.train needs the train extra (jax, optax)")
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_slow_examples_exist():
    assert SLOW <= set(MODULES)


def test_public_modules_have_examples():
    # Each module with a public class or function meant for users shows a runnable example.
    for name in ["hopfield.patterns", "hopfield.classical", "hopfield.dense", "hopfield.modern",
                 "hopfield.amicl", "theory.formula", "theory.classical", "theory.ags", "theory.dense",
                 "theory.exponential", "theory.modern", "theory.kv_memory", "theory.amicl"]:
        finder = doctest.DocTestFinder()
        tests = finder.find(importlib.import_module(name))
        assert sum(len(t.examples) for t in tests) > 0, name
