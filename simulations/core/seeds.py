"""Seeds derived from a master seed and a key (a check name, a grid point).

A derived seed depends on the master seed and the key only, never on the order
in which keys are visited, so running a subset of checks or resuming half a
sweep gives the same numbers as the whole run.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from simulations.core.io import plain_scalar


def canonical(obj: Any) -> str:
    """A canonical JSON text of ``obj`` (sorted keys, no spaces, numpy scalars as numbers)."""

    def default(o):
        try:
            return plain_scalar(o)
        except TypeError:
            raise TypeError(f"cannot use {type(o).__name__} in a seed key or grid point") from None

    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=default)


def key_hash(obj: Any) -> str:
    """SHA-256 hex digest of ``canonical(obj)``."""
    return hashlib.sha256(canonical(obj).encode("utf-8")).hexdigest()


def derive_seed(master: int, key: Any) -> int:
    """A seed in [0, 2**63) determined by ``master`` and ``key`` alone.

    Parameters
    ----------
    master : int
        Non-negative master seed.
    key : str, dict or list
        Anything JSON-serialisable; dicts are taken with sorted keys.

    Returns
    -------
    int

    Examples
    --------
    >>> derive_seed(0, "classical-bit-error") == derive_seed(0, "classical-bit-error")
    True
    >>> derive_seed(0, {"N": 10, "P": 2}) == derive_seed(0, {"P": 2, "N": 10})
    True
    """
    if isinstance(master, bool) or not isinstance(master, (int, np.integer)) or master < 0:
        raise ValueError(f"master seed must be a non-negative integer, got {master!r}")
    digest = hashlib.sha256(canonical(key).encode("utf-8")).digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 32, 4)]
    state = np.random.SeedSequence([int(master), *words]).generate_state(2, np.uint32)
    return int((int(state[0]) << 32 | int(state[1])) >> 1)
