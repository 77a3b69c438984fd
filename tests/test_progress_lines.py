"""Line progress (stderr not a terminal) can be silenced like a tqdm bar."""

import io

from simulations.core.progress import LineProgress


def test_line_progress_disable_prints_nothing():
    buf = io.StringIO()
    with LineProgress(3, "x", file=buf, disable=True) as p:
        p.update(1)
    assert buf.getvalue() == ""
    with LineProgress(3, "x", file=buf) as p:
        p.update(1)
    assert buf.getvalue().startswith("x: 1/3 its done")
