"""The registered checks, one module per model family; importing this package registers all of them.

Each module registers its checks with ``simulations.checks.registry.register_check``.
The modules are found by scanning this package (a new module registers itself);
``ORDER`` fixes the order of the first ones, which is the order ``amlab check``
runs and reports them in; any other module follows by name.
"""

from simulations.core.discover import import_modules

#: Modules imported first, in this order; the rest follow by name.
ORDER = ("classical", "ags", "dense", "exponential", "modern", "amicl", "basins", "finite_t", "gardner",
         "pseudo_inverse", "sparse", "mixtures", "kv", "induction", "rem", "storkey", "spin_glass", "dense_replica",
         "sparse_capacity")

import_modules(__name__, ORDER)
