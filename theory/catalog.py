"""Importing this module registers every derivation of ``theory``."""

import theory.amicl  # noqa: F401  (registers the AMICL derivations)
from theory import derivations  # noqa: F401  (registers the derivations)
import theory.basins  # noqa: F401  (registers the basins derivation)
import theory.finite_t  # noqa: F401  (registers the finite-t derivation)
import theory.gardner  # noqa: F401  (registers the gardner derivation)
import theory.sparse  # noqa: F401  (registers the sparse derivation)
import theory.induction  # noqa: F401  (registers the induction-logits derivation)
import theory.rem  # noqa: F401  (registers the rem-capacity derivation)
import theory.dense_replica  # noqa: F401  (registers the dense-replica derivation)
import theory.sparse_rs  # noqa: F401  (registers the sparse-rs derivation)
