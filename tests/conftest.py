import os

import matplotlib

matplotlib.use("Agg")

# Keep hypothesis quick and deterministic on CI machines.
try:
    from hypothesis import settings

    settings.register_profile("amlab", max_examples=25, deadline=None, derandomize=True)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "amlab"))
except ImportError:  # pragma: no cover
    pass
