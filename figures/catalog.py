"""Importing this module registers every figure family."""

import figures.amicl  # noqa: F401,E402
import figures.capacity_extended  # noqa: F401,E402
import figures.attention  # noqa: F401,E402
import figures.induction  # noqa: F401,E402
import figures.classical  # noqa: F401,E402
import figures.ags  # noqa: F401,E402
import figures.dense  # noqa: F401,E402
import figures.modern  # noqa: F401,E402
import figures.train  # noqa: F401,E402
import figures.train_induction  # noqa: F401,E402
import figures.rem  # noqa: F401,E402
import figures.storkey  # noqa: F401,E402
import figures.dense_replica  # noqa: F401,E402
import figures.sparse_rs  # noqa: F401,E402
