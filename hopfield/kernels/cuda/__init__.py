"""GPU kernels (Numba's CUDA target), one module per CPU kernel module it mirrors.

Import these modules only through :func:`hopfield._device.cuda` having
succeeded: they compile with ``numba.cuda.jit`` at first launch. Each GPU
kernel draws from the same counter-based SplitMix64 streams as
:mod:`hopfield.kernels.rng` (``rng.py`` here is its device twin), so a trial
follows the same trajectory on both devices, bit for bit, wherever the
arithmetic is exact (integers).
"""
