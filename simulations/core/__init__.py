"""The floor of ``simulations``: seeds, parameter declarations, atomic files, progress, fits, package scans, errors and the version."""
