"""Slow, obviously correct twins of the Numba kernels (pure Python / numpy).

Kernels are compared with these at small sizes: exactly where the arithmetic
is integer, at a stated tolerance otherwise.
"""

from __future__ import annotations

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


class SplitMix64:
    """SplitMix64 with Python integers (Steele, Lea & Flood 2014)."""

    def __init__(self, state: int):
        self.state = int(state) & MASK64

    def next_u64(self) -> int:
        self.state = (self.state + GAMMA) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def uniform(self) -> float:
        return (self.next_u64() >> 11) / 2.0**53

    def below(self, n: int) -> int:
        return self.next_u64() % n

    def shuffle(self, items: list) -> list:
        items = list(items)
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items
