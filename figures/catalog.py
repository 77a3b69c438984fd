"""Importing this module registers every figure family."""

import figures.amicl  # noqa: F401,E402
import figures.capacity_extended  # noqa: F401,E402
import figures.attention  # noqa: F401,E402
import figures.induction  # noqa: F401,E402
