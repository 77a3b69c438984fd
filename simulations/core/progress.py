"""Progress on standard error, for a terminal and for logs alike.

When standard error is a terminal, ``bar`` draws a tqdm bar. When it is not
(a batch job, a CI log, a pipe), ``bar`` prints one plain line per finished
step (a point, a check, a figure), flushed at once, so a long run shows its
progress in the log as it goes. ``steps`` (the inner loops of a check) draws a
bar on a terminal and stays silent otherwise, so logs get one line per
finished unit and no more.
"""

from __future__ import annotations

import sys
import time
from typing import Iterable, Optional, TextIO, Union

from tqdm.auto import tqdm


def is_terminal(stream: Optional[TextIO] = None) -> bool:
    """Whether ``stream`` (default: standard error) is a terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class LineProgress:
    """One line per finished step, ``desc: k/total unit [label] (elapsed)``, flushed.

    Has the parts of tqdm's interface the runner uses (``update``,
    ``set_postfix_str``, ``close``, context manager).

    Examples
    --------
    >>> import io
    >>> buf = io.StringIO()
    >>> p = LineProgress(2, "checks", unit="check", file=buf)
    >>> p.set_postfix_str("a PASS"); p.update(1)
    >>> buf.getvalue().split(" (")[0]
    'checks: 1/2 checks done, a PASS'
    """

    def __init__(self, total: int, desc: str, unit: str = "it", initial: int = 0, file: Optional[TextIO] = None,
                 disable: bool = False) -> None:
        self.total, self.desc, self.unit, self.n = int(total), desc, unit, int(initial)
        self.file = file
        self.disable = bool(disable)
        self.postfix = ""
        self.t0 = time.perf_counter()
        if initial:
            self._line(f"{initial} already done")

    def _line(self, text: str) -> None:
        if self.disable:
            return
        stream = self.file if self.file is not None else sys.stderr
        print(f"{self.desc}: {text} ({time.perf_counter() - self.t0:.1f} s)", file=stream, flush=True)

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.postfix = str(text)

    def update(self, n: int = 1) -> None:
        self.n += n
        self._line(f"{self.n}/{self.total} {self.unit}s done" + (f", {self.postfix}" if self.postfix else ""))

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def steps(iterable: Iterable, desc: str, total: Optional[int] = None, leave: bool = False) -> Iterable:
    """Wrap ``iterable`` in a tqdm bar labelled ``desc`` (nested bars vanish when done; silent in logs)."""
    return tqdm(iterable, desc=desc, total=total, leave=leave, disable=None, dynamic_ncols=True)


def bar(total: int, desc: str, unit: str = "it", leave: bool = True, initial: int = 0,
        disable: bool = False) -> Union[tqdm, LineProgress]:
    """A manual progress of ``total`` steps: a tqdm bar on a terminal, else a ``LineProgress``.

    ``disable=True`` silences either kind.
    """
    if is_terminal():
        return tqdm(total=total, desc=desc, unit=unit, leave=leave, initial=initial, dynamic_ncols=True,
                    disable=disable)
    return LineProgress(total, desc, unit=unit, initial=initial, disable=disable)
