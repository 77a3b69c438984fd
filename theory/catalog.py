"""Importing this module registers every derivation of ``theory``."""

import theory.amicl  # noqa: F401
