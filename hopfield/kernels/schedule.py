"""Bookkeeping shared by the synchronous schedules of the kernels."""

from numba import njit


@njit(cache=True)
def two_cycle(new, prev, s, have_prev):
    """Whether the step ``s -> new`` goes back to ``prev`` (a 2-cycle); then ``prev <- s``.

    ``have_prev`` is False on the first step (``prev`` not yet filled).
    """
    back = have_prev
    if back:
        for i in range(new.shape[0]):
            if new[i] != prev[i]:
                back = False
                break
    for i in range(s.shape[0]):
        prev[i] = s[i]
    return back
