"""Registries find their modules by a package scan: a new module is found, the declared order is kept."""

import sys

import pytest

from simulations.core.discover import import_modules, module_names


@pytest.fixture
def toy_package(tmp_path, monkeypatch):
    pkg = tmp_path / "toyreg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("SEEN = []\n")
    for name in ("alpha", "beta", "gamma", "_helpers", "infra"):
        (pkg / f"{name}.py").write_text(f"import toyreg\ntoyreg.SEEN.append({name!r})\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "toyreg"
    for mod in [m for m in sys.modules if m == "toyreg" or m.startswith("toyreg.")]:
        del sys.modules[mod]


def test_scan_finds_new_modules_in_declared_order(toy_package):
    assert module_names(toy_package) == ["toyreg.alpha", "toyreg.beta", "toyreg.gamma", "toyreg.infra"]
    import_modules(toy_package, first=("gamma", "alpha"), skip=("infra",))
    assert sys.modules["toyreg"].SEEN == ["gamma", "alpha", "beta"]  # private and skipped modules left out
    with pytest.raises(ValueError, match="not found: delta"):
        module_names(toy_package, first=("delta",))


def test_the_real_orders_name_existing_modules_and_cover_every_registering_module():
    import figures.catalog
    import simulations.checks.suite
    import simulations.estimators
    import theory.catalog

    for package, order in (("simulations.checks.suite", simulations.checks.suite.ORDER),
                           ("simulations.estimators", simulations.estimators.ORDER),
                           ("figures", figures.catalog.ORDER)):
        names = module_names(package, order)
        assert names[:len(order)] == [f"{package}.{n}" for n in order]
    assert theory.catalog.module_names()[:len(theory.catalog.ORDER)] == [f"theory.{n}" for n in theory.catalog.ORDER]
