"""Input validation shared by the public functions of ``hopfield``.

Every check raises ``TypeError`` or ``ValueError`` naming the parameter, the
value received and what was expected, before any work starts. The scalar
checks are ``_amlab.params.Param.check`` (the one declaration of a parameter
shared with ``theory`` and ``simulations``); the array checks (``as_pm1``) are
the simulators' own.
"""

from __future__ import annotations

import numpy as np

from _amlab.params import check_choice, check_int, check_real

#: Largest array amlab will allocate on its own, in bytes (a quarter of RAM
#: when it can be read, else 4 GiB). Tests may monkeypatch it.
try:
    import os

    _PAGES = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    MEMORY_LIMIT_BYTES = int(_PAGES // 4)
except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
    MEMORY_LIMIT_BYTES = 4 * 2**30


def as_pm1(x, name: str, ndim=(1, 2)) -> np.ndarray:
    """Return ``x`` as a C-contiguous int8 array of +-1, or raise.

    Accepts integer, boolean-free numeric arrays whose entries are exactly -1
    or +1 (floats such as 1.0 are accepted; NaN and other values are not).
    """
    if isinstance(ndim, int):
        ndim = (ndim,)
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be an array of -1/+1, got {type(x).__name__}") from exc
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must have an integer or float dtype with entries -1/+1, got dtype {arr.dtype}")
    if arr.ndim not in ndim:
        raise ValueError(f"{name} must have {' or '.join(str(d) for d in ndim)} dimension(s), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries; expected -1/+1")
    if np.issubdtype(arr.dtype, np.integer):  # min, max and non-zero count: one pass each, no temporaries
        ok = arr.min() >= -1 and arr.max() <= 1 and np.count_nonzero(arr) == arr.size
    else:
        ok = np.all((arr == 1) | (arr == -1))
    if not ok:
        bad = arr[(arr != 1) & (arr != -1)].ravel()[0]
        raise ValueError(f"{name} must contain only -1 and +1, found {bad!r}")
    return np.ascontiguousarray(arr, dtype=np.int8)


def as_int(value, name: str, minimum=None, maximum=None) -> int:
    """Return ``value`` as a Python int, raising if it is not an integer in range (``_amlab.params.check_int``)."""
    return check_int(value, name, minimum, maximum)


def as_float(value, name: str, minimum=None, strict=False) -> float:
    """Return ``value`` as a finite float, raising if it is not a real number in range (``_amlab.params.check_real``)."""
    return check_real(value, name, minimum, strict)


def as_seed(seed, name: str = "seed") -> int:
    """Return a non-negative integer seed; ``None`` draws one from the OS.

    A ``numpy.random.Generator`` is accepted as ``hopfield.patterns`` accepts
    one: it is asked for one integer in ``[0, 2**63)`` (advancing it by one
    draw), which then seeds the per-trial streams exactly as that int would.
    The same generator state therefore gives the same result, and passing one
    generator to successive calls gives each call fresh, reproducible trials.
    """
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, np.iinfo(np.int64).max, endpoint=True))
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    return as_int(seed, name, minimum=0)


def as_choice(value, name: str, choices) -> str:
    """Return ``value`` if it is one of ``choices`` (strings), else raise (``_amlab.params.check_choice``)."""
    return check_choice(value, name, choices)


def as_flip_count(fraction, count, N: int) -> int:
    """The number of bits to flip out of ``N``: exactly one of ``fraction`` (in [0, 1],
    rounded to the nearest count) and ``count`` (an integer in [0, N]) must be given."""
    if (fraction is None) == (count is None):
        raise ValueError(f"give exactly one of fraction and count, got fraction={fraction!r}, count={count!r}")
    if fraction is not None:
        fraction = as_float(fraction, "fraction", minimum=0.0)
        if fraction > 1.0:
            raise ValueError(f"fraction must lie in [0, 1], got {fraction}")
        return int(round(fraction * N))
    return as_int(count, "count", minimum=0, maximum=N)


def check_memory(nbytes: int, name: str, hint: str = "") -> None:
    """Raise ``ValueError`` if an allocation of ``nbytes`` would exceed the limit."""
    if nbytes > MEMORY_LIMIT_BYTES:
        msg = (
            f"{name} would need {nbytes / 2**30:.2f} GiB, more than the "
            f"{MEMORY_LIMIT_BYTES / 2**30:.2f} GiB amlab allows itself"
        )
        raise ValueError(msg + (f"; {hint}" if hint else ""))
