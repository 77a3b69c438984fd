"""Registered checks; importing this package registers all of them.

Each module here registers its checks with ``simulations.registry.register_check``;
``amlab check`` runs them in this order.
"""

from simulations.checks import classical  # noqa: F401
from simulations.checks import ags  # noqa: F401
from simulations.checks import dense  # noqa: F401
from simulations.checks import exponential  # noqa: F401
from simulations.checks import modern  # noqa: F401
from simulations.checks import amicl  # noqa: F401
from simulations.checks import induction  # noqa: F401
