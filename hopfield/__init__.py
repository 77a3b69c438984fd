"""Simulators of associative memories (Numba kernels behind small classes)."""

from hopfield.result import RunResult

__all__ = ["RunResult"]
