"""amlab: associative memories from theory to simulation.

The distribution ``amlab`` ships four packages, ``hopfield`` (simulators),
``theory`` (symbolic derivations), ``simulations`` (checks and sweeps) and
``figures``; this small package holds the version and the command line.
"""

from simulations.core.version import __version__  # noqa: F401  (one place: pyproject.toml)
