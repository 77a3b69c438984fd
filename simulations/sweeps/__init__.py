"""``amlab sweep``: estimator grids in resumable stores (``sweep``) and the compute backends (``backends``)."""
