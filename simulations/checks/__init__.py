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
from simulations.checks import basins  # noqa: F401
from simulations.checks import finite_t  # noqa: F401
from simulations.checks import gardner  # noqa: F401
from simulations.checks import pseudo_inverse  # noqa: F401
from simulations.checks import sparse  # noqa: F401
from simulations.checks import mixtures  # noqa: F401
from simulations.checks import kv  # noqa: F401
from simulations.checks import induction  # noqa: F401
from simulations.checks import rem  # noqa: F401
from simulations.checks import storkey  # noqa: F401
from simulations.checks import spin_glass  # noqa: F401
from simulations.checks import dense_replica  # noqa: F401
from simulations.checks import sparse_capacity  # noqa: F401
