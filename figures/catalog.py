"""Importing this module registers every figure family."""

import figures.amicl  # noqa: F401,E402
import figures.train  # noqa: F401,E402
