"""The floor of ``simulations``: seeds, atomic files, progress, fits, package scans, errors and the version."""
