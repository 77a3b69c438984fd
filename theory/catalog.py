"""Importing this module registers every derivation of ``theory``."""

import theory.amicl  # noqa: F401  (registers the AMICL derivations)
from theory import derivations  # noqa: F401  (registers the derivations)
import theory.induction  # noqa: F401  (registers the induction-logits derivation)
