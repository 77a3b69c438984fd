"""Importing this module registers every derivation of ``theory``."""
