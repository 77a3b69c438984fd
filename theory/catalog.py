"""Importing this module registers every derivation of ``theory``."""

from theory import derivations  # noqa: F401  (registers the derivations)
