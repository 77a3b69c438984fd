"""Test-only helper: a split check's units simulated once, judged again under patched theories."""

from simulations.checks.registry import CHECKS, check_params, finish_check, plan_check


class Simulated:
    """A split check's units run once, on the code as it is; ``judge()`` combines and judges them as ``run_check``.

    For a check whose theory enters only its combine step, judging the same simulated outputs under a patched
    theory is the check's verdict on that theory, without simulating everything again. (A theory that also sets
    the simulated parameters, such as loads in units of a predicted capacity, needs a run of its own.)
    """

    def __init__(self, name, seed, size="quick", **params):
        self.check, self.size, self.seed, self.params = CHECKS[name], size, seed, params
        self.work = plan_check(self.check, size, seed, **params)
        self.outputs = [u.run() for u in self.work.units]

    def judge(self):
        """The ``CheckResult`` of the stored outputs, combined with the theory as it is now."""
        return finish_check(self.check, self.size, self.seed, check_params(self.check, self.size, **self.params),
                            self.work, self.outputs, 0.0)
