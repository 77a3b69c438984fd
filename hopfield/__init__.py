"""Simulators of associative memories (Numba kernels behind small classes)."""

from hopfield import patterns
from hopfield.classical import ClassicalHopfield
from hopfield.dense import DenseAssociativeMemory
from hopfield.modern import ModernHopfield
from hopfield.result import RunResult

__all__ = ["ClassicalHopfield", "DenseAssociativeMemory", "ModernHopfield", "RunResult", "patterns"]
