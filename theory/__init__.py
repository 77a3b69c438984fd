"""Symbolic theory (SymPy) of associative-memory capacity and attention logits."""
