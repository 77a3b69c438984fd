"""The runnable examples in the docstrings of ``theory`` stay correct."""

import doctest
import importlib

import pytest

MODULES = ["theory.formula", "theory.classical", "theory.ags", "theory.dense", "theory.exponential",
           "theory.modern", "theory.kv_memory"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
