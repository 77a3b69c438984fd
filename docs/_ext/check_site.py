"""Check every internal link and image of a built HTML site.

Usage (from the repository root, after building the site)::

    python docs/_ext/check_site.py docs/_build/html

Every ``.html`` page under the folder (not the theme's ``_static``) is parsed with html5lib. Each internal
reference (``a href``, ``img src``, ``link href``, ``script src``, ``source
src``, ``iframe src``, ``object data``) must name a file that exists inside the
site, and a ``#fragment`` must name an element ``id`` (or an ``a name``) of the
page it points to. External references (any URL scheme, ``//host``) are not
fetched. Exit status 0 when all hold, 1 with one line per broken reference
otherwise, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple
from urllib.parse import unquote, urlsplit

import html5lib

#: Element -> attribute holding a reference to check.
REFERENCE_ATTRIBUTES: Dict[str, str] = {"a": "href", "img": "src", "link": "href", "script": "src",
                                        "source": "src", "iframe": "src", "object": "data"}

#: Top-level folders of a Sphinx build whose HTML files are not pages (theme templates, copied sources).
SKIPPED_FOLDERS = ("_static", "_sources")

_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Broken:
    """One broken reference: the page, the element, the reference and why."""

    page: str
    tag: str
    ref: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: <{self.tag}> {self.ref}: {self.reason}"


def _parse(path: Path):
    with open(path, "rb") as fh:
        return html5lib.parse(fh, treebuilder="etree", namespaceHTMLElements=True)


def page_references(path: Path) -> Tuple[List[Tuple[str, str]], Set[str]]:
    """The references of one HTML page and the fragment targets it defines.

    Parameters
    ----------
    path : pathlib.Path
        An HTML file.

    Returns
    -------
    refs : list of (str, str)
        ``(tag, reference)`` for every element of :data:`REFERENCE_ATTRIBUTES` that has its attribute.
    anchors : set of str
        Every ``id`` of the page and every ``name`` of its ``a`` elements.
    """
    refs, anchors = [], set()
    for el in _parse(path).iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag[len(_NS):] if el.tag.startswith(_NS) else el.tag
        if el.get("id"):
            anchors.add(el.get("id"))
        if tag == "a" and el.get("name"):
            anchors.add(el.get("name"))
        attr = REFERENCE_ATTRIBUTES.get(tag)
        if attr and el.get(attr) is not None:
            refs.append((tag, el.get(attr)))
    return refs, anchors


def _is_external(ref: str) -> bool:
    parts = urlsplit(ref)
    return bool(parts.scheme) or ref.startswith("//")


def check_site(root: os.PathLike) -> Tuple[List[Broken], int, int]:
    """Check every internal link and image of the HTML files under ``root``.

    Parameters
    ----------
    root : path-like
        The folder of a built site (e.g. ``docs/_build/html``).

    Returns
    -------
    broken : list of Broken
        The broken references, in page order.
    n_pages : int
        Number of HTML pages checked.
    n_refs : int
        Number of internal references checked.

    Raises
    ------
    ValueError
        When ``root`` is not a folder holding at least one ``.html`` file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "index.html").write_text('<a href="#top" id="top">x</a><img src="gone.png">')
    >>> [str(b) for b in check_site(d)[0]]
    ['index.html: <img> gone.png: no such file']
    """
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"root must be a folder of a built HTML site (got {str(root)!r}, not a folder)")
    # the theme's static files may hold HTML templates (not pages); they are checked as targets only
    pages = sorted(p for p in root.rglob("*.html") if p.relative_to(root).parts[0] not in SKIPPED_FOLDERS)
    if not pages:
        raise ValueError(f"root must be a folder of a built HTML site (got {str(root)!r}, no .html file in it)")
    root_resolved = root.resolve()
    parsed: Dict[Path, Tuple[List[Tuple[str, str]], Set[str]]] = {}

    def info(path: Path):
        if path not in parsed:
            parsed[path] = page_references(path)
        return parsed[path]

    broken: List[Broken] = []
    n_refs = 0
    for page in pages:
        rel_page = page.relative_to(root).as_posix()
        for tag, ref in info(page)[0]:
            reason = _check_reference(page, ref, root_resolved, info)
            if reason is None:
                continue
            n_refs += reason != "external"
            if reason not in ("ok", "external"):
                broken.append(Broken(rel_page, tag, ref, reason))
    return broken, len(pages), n_refs


def _check_reference(page: Path, ref: str, root: Path, info) -> Optional[str]:
    """``"ok"``, ``"external"``, None (nothing to check) or the reason the reference is broken."""
    ref = ref.strip()
    if not ref or ref.startswith(("mailto:", "javascript:", "data:", "tel:")):
        return None
    if _is_external(ref):
        return "external"
    parts = urlsplit(ref)
    path_part, fragment = unquote(parts.path), unquote(parts.fragment)
    if path_part.startswith("/"):
        return "absolute path (the site must work from any folder)"
    target = (page.parent / path_part).resolve() if path_part else page.resolve()
    if root != target and root not in target.parents:
        return "points outside the site"
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return "no such file"
    if fragment and target.suffix == ".html" and fragment not in info(target)[1]:
        return f"no element with id {fragment!r} in {target.relative_to(root).as_posix()}"
    return "ok"


def main(argv: Optional[List[str]] = None) -> int:
    """Command line: check the site folder given, print the broken references; see the module docstring."""
    parser = argparse.ArgumentParser(prog="check_site", description=__doc__.splitlines()[0])
    parser.add_argument("root", help="folder of the built site, e.g. docs/_build/html")
    args = parser.parse_args(argv)
    try:
        broken, n_pages, n_refs = check_site(args.root)
    except ValueError as exc:
        print(f"check_site: error: {exc}", file=sys.stderr)
        return 2
    for b in broken:
        print(b)
    print(f"check_site: {n_pages} pages, {n_refs} internal references, {len(broken)} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
