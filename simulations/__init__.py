"""Simulations of the associative memories: estimators, checks against theory, sweeps and training.

``core``
    The small floor: seeds, atomic files, progress bars, fits, package
    scanning and the version (parameter declarations, ``Param``, live one
    floor lower, in ``_amlab.params``, shared with ``hopfield`` and ``theory``).
``estimators``
    The registry of estimators (``register_estimator``, ``get_estimator``,
    ``evaluate``, ``discover``) and one module per model family holding the
    simulation functions.
``checks``
    ``Point`` and ``CheckResult``, the check registry, runner, statistics,
    report and schedule; the check modules in ``checks.suite``.
``sweeps``
    ``amlab sweep``: grids of estimator points in resumable stores, and the
    compute backends (local, processes, Dask).
``train``
    Gradient-descent training of the small transformers (JAX, optional).
"""
