"""Prepare the language-model corpus: the King James Version from Debian's bible-kjv-text package, as plain prose.

The text ships in ``bible-kjv-text`` (public domain; the package's copyright file:
"The copyright for the King James Version text of the Bible is expired") in a
compressed format that the ``bible`` program of ``bible-kjv`` prints. This script
runs ``bible`` over Genesis 1:1 to Revelation 22:21, drops the verse numbers and
writes each chapter as one paragraph under its heading ("Genesis 1"), UTF-8, to
``.corpus/kjv.txt`` (about 4.2 MB; the folder is ignored by git and travels with
the repository to the GPU machine). ``--source FILE`` takes the ``bible`` output
saved earlier instead of running the program.

Usage (repository root)::

    apt-get install bible-kjv        # brings bible-kjv-text
    python benchmarks/prepare_lm_corpus.py [--out .corpus/kjv.txt] [--source FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulations.core.io import atomic_write_text  # noqa: E402

HEADING = re.compile(r"^(\S.*\S) (\d+)$")
VERSE = re.compile(r"^\s+\d+ (.*)$")


def bible_text() -> str:
    """The whole text as the ``bible`` program prints it (one line per verse)."""
    exe = shutil.which("bible")
    if exe is None:
        raise SystemExit("prepare_lm_corpus: the `bible` program is missing: apt-get install bible-kjv "
                         "(or pass --source FILE)")
    out = subprocess.run([exe, "-l1000000", "gen1:1-rev22:21"], stdin=subprocess.DEVNULL, capture_output=True,
                         check=True)
    return out.stdout.decode("utf-8")


def prose(raw: str) -> str:
    """Chapters as paragraphs: ``"Genesis 1\\n<verses joined by spaces>\\n\\n"``; verse numbers dropped.

    Examples
    --------
    >>> prose("\\nGenesis 1\\n\\n  1 In the beginning.\\n  2 And the\\nearth.\\n")
    'Genesis 1\\nIn the beginning. And the earth.\\n'
    """
    chapters, verses, heading = [], [], None
    for line in raw.splitlines():
        if not line.strip():
            continue
        m = VERSE.match(line)
        if m:
            verses.append(m.group(1).strip())
        elif HEADING.match(line) and not line.startswith(" "):
            if heading is not None:
                chapters.append(f"{heading}\n{' '.join(verses)}")
            heading, verses = line.strip(), []
        elif verses:  # a verse continued on the next line
            verses[-1] += " " + line.strip()
    if heading is not None:
        chapters.append(f"{heading}\n{' '.join(verses)}")
    return "\n\n".join(chapters) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=".corpus/kjv.txt", help="output file (default .corpus/kjv.txt)")
    ap.add_argument("--source", help="the saved output of `bible -l1000000 gen1:1-rev22:21` (default: run it)")
    args = ap.parse_args(argv)
    raw = Path(args.source).read_text(encoding="utf-8") if args.source else bible_text()
    text = prose(raw)
    if len(text) < 1_000_000:
        raise SystemExit(f"prepare_lm_corpus: only {len(text)} characters came out; expected about 4.2 MB")
    path = atomic_write_text(args.out, text)
    data = path.read_bytes()
    print(f"{path}: {len(data)} bytes, {text.count(chr(10) + chr(10)) + 1} chapters, "
          f"sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
