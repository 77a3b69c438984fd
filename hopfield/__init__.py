"""Simulators of associative memories (Numba kernels behind small classes)."""

from hopfield import patterns
from hopfield.amicl import make_sequences, run_amicl, sweep_amicl
from hopfield.bursty import BurstyTask
from hopfield.classical import ClassicalHopfield
from hopfield.dense import DenseAssociativeMemory
from hopfield.modern import ModernHopfield
from hopfield.result import RunResult
from hopfield.kv import DeltaMemory, HebbianMemory, SoftmaxMemory
from hopfield.mqar import MQARBatch, evaluate_mqar, make_mqar

__all__ = [
    "BurstyTask",
    "ClassicalHopfield",
    "DenseAssociativeMemory",
    "ModernHopfield",
    "RunResult",
    "make_sequences",
    "patterns",
    "run_amicl",
    "sweep_amicl",
    "HebbianMemory",
    "DeltaMemory",
    "SoftmaxMemory",
    "MQARBatch",
    "make_mqar",
    "evaluate_mqar",
]
