"""Checks of simulation against theory, parameter sweeps and demos."""
