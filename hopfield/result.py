"""The result of running a binary associative memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np


@dataclass(frozen=True)
class RunResult:
    """Outcome of ``run`` on a batch of ``B`` cues; a single ``(N,)`` cue gives ``B = 1``.

    Attributes
    ----------
    states : ndarray of shape (B, N), int8
        Final states in {-1, +1}.
    converged : ndarray of shape (B,), bool
        True where a full sweep changed no neuron (a fixed point was reached).
    sweeps : ndarray of shape (B,), int64
        Sweeps used (a sweep is N neuron visits, or one synchronous step).
    cycled : ndarray of shape (B,), bool
        True where synchronous dynamics entered a 2-cycle (always False otherwise).
    energies : ndarray of shape (B,), float64
        Energy of each final state.
    overlaps : ndarray of shape (B, P), float64
        Overlaps ``m_mu = xi^mu . s / N`` of each final state with each stored pattern.
    energy_trace : ndarray of shape (B, max_sweeps + 1), float64, or None
        Energy after each sweep (column 0: the cue), padded with NaN after the
        last sweep; present only when asked for.
    """

    states: np.ndarray
    converged: np.ndarray
    sweeps: np.ndarray
    cycled: np.ndarray
    energies: np.ndarray
    overlaps: np.ndarray
    energy_trace: Optional[np.ndarray] = field(default=None)

    @property
    def best(self) -> np.ndarray:
        """Index of the stored pattern with the largest overlap, shape (B,), int64."""
        return np.argmax(self.overlaps, axis=1)

    @property
    def best_overlap(self) -> np.ndarray:
        """Largest overlap per trial, shape (B,), float64."""
        return np.max(self.overlaps, axis=1)

    def __len__(self) -> int:
        return int(self.states.shape[0])

    def __repr__(self) -> str:
        """Shapes, the converged fraction and the mean number of sweeps (not the arrays)."""
        B, N = self.states.shape
        P = self.overlaps.shape[1] if self.overlaps.ndim == 2 else 0
        conv = int(np.count_nonzero(self.converged))
        mean = float(np.mean(self.sweeps)) if self.sweeps.size else float("nan")
        trace = "" if self.energy_trace is None else f", energy_trace {self.energy_trace.shape}"
        return (f"RunResult({B} cues x N={N}, P={P} patterns: converged {conv}/{B}, "
                f"mean sweeps {mean:.3g}{trace})")
