"""Numba kernels: plain functions over plain arrays, no validation.

Every kernel has a slow twin in ``tests/reference.py``.
"""
