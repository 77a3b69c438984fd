"""Progress bars (tqdm) shared by the runner, sweeps and long checks.

Bars are drawn on standard error when it is a terminal (``disable=None``) and
stay silent otherwise, so logs and tests are not flooded.
"""

from __future__ import annotations

from tqdm.auto import tqdm


def steps(iterable, desc: str, total=None, leave: bool = False):
    """Wrap ``iterable`` in a tqdm bar labelled ``desc`` (nested bars vanish when done)."""
    return tqdm(iterable, desc=desc, total=total, leave=leave, disable=None, dynamic_ncols=True)


def bar(total: int, desc: str, unit: str = "it", leave: bool = True):
    """A manual tqdm bar of ``total`` steps."""
    return tqdm(total=total, desc=desc, unit=unit, leave=leave, disable=None, dynamic_ncols=True)
