"""Registered checks; importing this package registers all of them.

Each module here registers its checks with ``simulations.registry.register_check``.
"""

import simulations.checks.amicl  # noqa: F401,E402
