"""Checks of simulation against theory: the registry, the runner, the statistics and the report.

``registry`` (``register_check``, ``run_check``, ``CHECKS``), ``point`` (``Point``,
``CheckResult``), ``stats`` (the points' tests), ``runner`` (``amlab check`` and
``amlab reproduce``), ``report`` (Markdown and HTML) and ``schedule`` (the
units' expected seconds). The checks themselves live in ``suite``: importing
``simulations.checks.suite`` registers all of them.
"""
