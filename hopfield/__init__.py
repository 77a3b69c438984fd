"""Simulators of associative memories (Numba kernels behind small classes)."""

from hopfield import patterns
from hopfield.classical import ClassicalHopfield
from hopfield.result import RunResult

__all__ = ["ClassicalHopfield", "RunResult", "patterns"]
