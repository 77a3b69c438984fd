"""The floor every amlab package may import.

``_amlab`` sits below ``hopfield``, ``theory``, ``simulations``, ``figures``
and ``amlab``: each of them may import it, and it imports nothing of theirs
(only the standard library and NumPy). It holds the one idea they share,
:class:`_amlab.params.Param`: a typed parameter declaration with its range,
default and meaning, which validates values with the messages users see.
"""
