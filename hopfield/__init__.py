"""Simulators of associative memories (Numba kernels behind small classes)."""

from hopfield import patterns
from hopfield.amicl import make_sequences, run_amicl, sweep_amicl
from hopfield.bursty import BurstyTask
from hopfield.classical import ClassicalHopfield
from hopfield.dense import DenseAssociativeMemory
from hopfield.modern import ModernHopfield
from hopfield.result import RunResult
from hopfield.bigram import BigramModel, bigram_from_text, synthetic_bigram
from hopfield.induction_data import designed_prompts, trigger_sequences

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
    "BigramModel",
    "bigram_from_text",
    "synthetic_bigram",
    "designed_prompts",
    "trigger_sequences",
]
