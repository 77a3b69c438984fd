"""Test-only checks for the command-line tests (importable by subprocesses).

``register_steps`` registers checks ``step-a``, ``step-b``, ... that append
their name to a log file, sleep, and pass; the kill-and-resume test runs them
in a subprocess (``python -m tests.cli_helpers OUT LOG DELAY NAMES...``).
"""

import os
import sys
import time


def register_steps(names, log, delay):
    from simulations.checks import registry
    from simulations.checks.stats import binomial_point

    def make(name):
        def f(*, seed, log, delay):
            with open(log, "a") as fh:
                fh.write(name + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            time.sleep(delay)
            return [binomial_point("coin", 50, 100, 0.5)]
        return f

    for name in names:
        registry.CHECKS.pop(name, None)
        registry.register_check(name, title=f"test step {name}", theory="1/2", test="binomial",
                                quick={"log": str(log), "delay": float(delay)},
                                full={"log": str(log), "delay": float(delay)})(make(name))


if __name__ == "__main__":
    out, log, delay, *names = sys.argv[1:]
    import simulations.checks.suite  # noqa: F401  (the real checks first, as the command does)
    from amlab.cli import main

    register_steps(names, log, float(delay))
    sys.exit(main(["check", *names, "--out", out]))
