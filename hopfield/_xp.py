"""Array-module helpers of the float memories' device paths (numpy on the CPU, CuPy on a GPU).

The float memories (:mod:`hopfield.modern`, :mod:`hopfield.kv`,
:mod:`hopfield.sparse`) write each GPU formula once, generic in an array
module ``xp``: :func:`hopfield._device.array_module` gives CuPy on a GPU and
numpy under Numba's CUDA simulator, so the very code that runs on the GPU runs
in the test suite with numpy. Results come back as numpy arrays of the dtype
they were computed in.
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from hopfield import _device

__all__ = ["select", "to_device", "to_host", "unit_roundoff", "gamma"]


def select(device: Any) -> Tuple[str, Any]:
    """``(device, xp)``: ``device`` resolved (None means ``$AMLAB_DEVICE``, else ``"cpu"``) and its array module.

    Raises ``ValueError`` for an unknown device and
    :class:`hopfield._device.DeviceUnavailableError` when ``"gpu"`` is not usable,
    before any work.

    Examples
    --------
    >>> select("cpu")[0]
    'cpu'
    """
    dev = _device.resolve(device)
    return dev, (np if dev == "cpu" else _device.array_module(dev))


def to_device(xp, a: np.ndarray):
    """``a`` on the array module's device (numpy: ``a`` itself, no copy)."""
    return a if xp is np else xp.asarray(a)


def to_host(a) -> np.ndarray:
    """A numpy array of ``a`` (a CuPy array is copied back; a numpy array is returned as it is)."""
    if isinstance(a, np.ndarray):
        return a
    get = getattr(a, "get", None)
    return get() if get is not None else np.asarray(a)


def unit_roundoff(dtype) -> float:
    """``u = eps / 2`` of a float dtype: the largest relative error of one correctly rounded operation.

    Examples
    --------
    >>> unit_roundoff(np.float64) == 2.0**-53
    True
    """
    return float(np.finfo(dtype).eps) / 2.0


def gamma(n: int, dtype) -> float:
    """``gamma_n = n u / (1 - n u)``: the relative error bound of ``n`` chained roundings.

    A sum of ``n`` terms evaluated in any order (pairwise, blocked, with fused
    multiply-adds) differs from the exact sum by at most ``gamma_{n-1}`` times the
    sum of the terms' absolute values (Higham, *Accuracy and Stability of
    Numerical Algorithms*, 2nd ed., Sec. 3.1 and 4.2); a product of two such
    sums' factors adds one rounding.

    Examples
    --------
    >>> gamma(1, np.float64) > 2.0**-53
    True
    """
    nu = int(n) * unit_roundoff(dtype)
    if nu >= 1.0:
        raise ValueError(f"n u must be below 1 for a rounding bound, got n = {n} in {np.dtype(dtype).name}")
    return nu / (1.0 - nu)
