"""Where a simulator runs: ``device="cpu"`` (the Numba CPU kernels) or ``device="gpu"``.

The GPU kernels live in :mod:`hopfield.kernels.cuda` and are written with
Numba's CUDA target (the ``numba-cuda`` package, the ``gpu`` extra). Numba's
CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) runs the very same kernel code on
the CPU, which is how the test suite holds every GPU kernel against its CPU
kernel bit for bit on machines without a GPU. The float memories use the
GPU's matrix products through CuPy where it is installed.

A request for the GPU on a machine without one fails at once, before any work,
with :class:`DeviceUnavailableError` and one line saying what is missing.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from _amlab.params import check_choice

__all__ = ["DEVICES", "DeviceUnavailableError", "as_device", "resolve", "cuda", "simulated", "array_module"]

DEVICES = ("cpu", "gpu")

#: The one line printed after ``device='gpu' needs ...`` when a piece is missing.
INSTALL_HINT = "pip install 'amlab[gpu]' on a machine with an NVIDIA GPU and its driver"


class DeviceUnavailableError(RuntimeError):
    """``device="gpu"`` was asked for where no usable GPU (or GPU package) is."""


def as_device(device: Any, name: str = "device") -> str:
    """Return ``device`` as ``"cpu"`` or ``"gpu"``, or raise ``TypeError``/``ValueError`` naming ``name``.

    Examples
    --------
    >>> as_device("cpu")
    'cpu'
    >>> as_device("tpu")
    Traceback (most recent call last):
    ...
    ValueError: device must be one of ['cpu', 'gpu'], got 'tpu'
    """
    return check_choice(device, name, DEVICES)


#: Environment variable holding the device a public call uses when its ``device`` is None
#: (``amlab ... --device gpu`` sets it, so worker processes inherit it).
ENV_DEFAULT = "AMLAB_DEVICE"


def resolve(device: Any = None, name: str = "device") -> str:
    """``device`` checked as by :func:`as_device`; None means ``$AMLAB_DEVICE``, else ``"cpu"``.

    Examples
    --------
    >>> resolve("gpu")
    'gpu'
    >>> import os; os.environ.pop("AMLAB_DEVICE", None) and None
    >>> resolve(None)
    'cpu'
    """
    if device is None:
        env = os.environ.get(ENV_DEFAULT, "")
        if env == "":
            return "cpu"
        return as_device(env, f"${ENV_DEFAULT}")
    return as_device(device, name)


def simulated() -> bool:
    """True when Numba's CUDA simulator stands in for a GPU (``NUMBA_ENABLE_CUDASIM=1``)."""
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0")


def cuda():
    """The ``numba.cuda`` module, ready to launch kernels, or raise :class:`DeviceUnavailableError`.

    Under the CUDA simulator this is the simulator; otherwise a CUDA driver and a
    device must be present.
    """
    if not hasattr(np, "row_stack"):  # numba-cuda 0.30 still names np.row_stack, removed in numpy 2.5
        np.row_stack = np.vstack
    try:
        from numba import cuda as _cuda
    except Exception as exc:  # pragma: no cover - depends on the installation
        raise DeviceUnavailableError(f"device='gpu' needs numba's CUDA target ({INSTALL_HINT}): {exc}") from exc
    if simulated():
        return _cuda
    try:
        ok = _cuda.is_available()
    except Exception as exc:  # pragma: no cover - depends on the driver
        raise DeviceUnavailableError(f"device='gpu' found no usable CUDA driver ({INSTALL_HINT}): {exc}") from exc
    if not ok:
        raise DeviceUnavailableError(f"device='gpu' found no CUDA GPU on this machine ({INSTALL_HINT})")
    return _cuda


def array_module(device: str):
    """``numpy`` for ``"cpu"``; CuPy for ``"gpu"`` (the float memories' matrix products), or raise.

    Under the CUDA simulator there is no GPU memory to hand to CuPy, so the
    simulator's stand-in is numpy: the float paths are then their own numpy twins.
    """
    if as_device(device) == "cpu" or simulated():
        return np
    try:
        import cupy
    except Exception as exc:
        raise DeviceUnavailableError(f"device='gpu' for the float memories needs CuPy ({INSTALL_HINT}): {exc}") \
            from exc
    try:
        cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # pragma: no cover - depends on the driver
        raise DeviceUnavailableError(f"device='gpu' found no CUDA GPU for CuPy ({INSTALL_HINT}): {exc}") from exc
    return cupy
