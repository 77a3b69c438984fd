"""Simulators of associative memories (Numba kernels behind small classes)."""

import importlib
import importlib.util

# Names are imported on first use (PEP 562), so that ``import hopfield.classical``
# or ``from hopfield.capacity import capacity_scan`` loads only what it needs (a
# cold process spends its time compiling, not importing scipy.special and every
# simulator). ``_LAZY`` maps each public name to the module that defines it.
_LAZY = {
    "patterns": "hopfield.patterns",
    "make_sequences": "hopfield.amicl", "run_amicl": "hopfield.amicl", "sweep_amicl": "hopfield.amicl",
    "BurstyTask": "hopfield.bursty",
    "ClassicalHopfield": "hopfield.classical",
    "DenseAssociativeMemory": "hopfield.dense",
    "ModernHopfield": "hopfield.modern",
    "RunResult": "hopfield.result",
    "DeltaMemory": "hopfield.kv", "HebbianMemory": "hopfield.kv", "SoftmaxMemory": "hopfield.kv",
    "MQARBatch": "hopfield.mqar", "evaluate_mqar": "hopfield.mqar", "make_mqar": "hopfield.mqar",
    "BigramModel": "hopfield.bigram", "bigram_from_text": "hopfield.bigram", "synthetic_bigram": "hopfield.bigram",
    "designed_prompts": "hopfield.induction_data", "trigger_sequences": "hopfield.induction_data",
    "InductionModel": "hopfield.induction", "build_induction_model": "hopfield.induction",
    "build_one_step": "hopfield.induction", "forward": "hopfield.induction", "probes": "hopfield.induction",
    "capacity_scan": "hopfield.capacity",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:  # a submodule (hopfield.classical, ...), as when every one was imported here
        if name.startswith("_") or importlib.util.find_spec(f"hopfield.{name}") is None:
            raise AttributeError(f"module 'hopfield' has no attribute {name!r}")
        module = f"hopfield.{name}"
    mod = importlib.import_module(module)
    value = mod if module == f"hopfield.{name}" else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


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
    "BigramModel",
    "bigram_from_text",
    "synthetic_bigram",
    "designed_prompts",
    "trigger_sequences",
    "InductionModel",
    "build_induction_model",
    "build_one_step",
    "forward",
    "probes",
    "capacity_scan",
]
