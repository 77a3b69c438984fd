"""Importing this module registers every figure family."""
