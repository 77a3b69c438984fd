"""The reports as documents: a list of blocks rendered once to Markdown and once to HTML.

``amlab reproduce`` describes its report (headings with anchors, paragraphs,
lists, tables, images, preformatted text) with the small classes below; the
HTML is built as an element tree (``xml.etree.ElementTree``) and serialised,
so every element is closed and nested where HTML allows it and every text is
escaped, and the Markdown is written from the same blocks. Inline content is
a list of plain strings, ``Strong`` text, ``Link`` and ``Verdict`` (a PASS or
FAIL in colour, its word kept for readers who do not see the colour).

Examples
--------
>>> doc = [Heading(1, ["Checks"], "checks"), Paragraph(["x < y, ", Verdict(True), " ", Link("top", "#checks")])]
>>> print(to_markdown(doc), end="")
# Checks <a id="checks"></a>
<BLANKLINE>
x < y, PASS [top](#checks)
>>> "<p>x &lt; y, <span class=\\"verdict pass\\">PASS</span>" in to_html(doc)
True
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Union

__all__ = ["Strong", "Link", "Verdict", "Heading", "Paragraph", "ListItem", "BulletList", "NumberedList",
           "Table", "Image", "Preformatted", "to_markdown", "to_html", "image_src", "markdown_blocks", "slug"]


# ------------------------------------------------------------------ inline content

@dataclass(frozen=True)
class Strong:
    """Bold text."""

    text: str


@dataclass(frozen=True)
class Link:
    """A link: ``href`` is ``#anchor`` inside the document or a relative path."""

    text: str
    href: str


@dataclass(frozen=True)
class Verdict:
    """A verdict in colour, green when ``passed`` else red; its word (PASS or FAIL unless ``text`` is
    given) is always written, so the colour only repeats what the text says."""

    passed: bool
    text: Optional[str] = None

    @property
    def word(self) -> str:
        return self.text or ("PASS" if self.passed else "FAIL")


Inline = Union[str, Strong, Link, Verdict]


# ------------------------------------------------------------------ blocks

@dataclass(frozen=True)
class Heading:
    """A heading of ``level`` 1-6 with the anchor ``id`` (``#id`` links to it)."""

    level: int
    inlines: Sequence[Inline]
    id: Optional[str] = None


@dataclass(frozen=True)
class Paragraph:
    inlines: Sequence[Inline]


@dataclass(frozen=True)
class ListItem:
    """One item: its inline text, then any blocks under it (a nested list, preformatted text)."""

    inlines: Sequence[Inline]
    blocks: Sequence["Block"] = ()


@dataclass(frozen=True)
class BulletList:
    items: Sequence[ListItem]


@dataclass(frozen=True)
class NumberedList:
    items: Sequence[ListItem]


@dataclass(frozen=True)
class Table:
    """A table: one header row of strings, then rows of cells (each a list of inlines)."""

    header: Sequence[str]
    rows: Sequence[Sequence[Sequence[Inline]]]


@dataclass(frozen=True)
class Image:
    """An image at ``src`` (relative to the report); ``path`` is the file on disk, embedded in the HTML."""

    src: str
    alt: str
    path: Optional[Path] = None


@dataclass(frozen=True)
class Preformatted:
    text: str


Block = Union[Heading, Paragraph, BulletList, NumberedList, Table, Image, Preformatted]


def slug(kind: str, name: str) -> str:
    """The anchor of ``name`` among the report's ``kind`` (``check``, ``figure``, ``derivation``).

    >>> slug("check", "ags-overlap")
    'check-ags-overlap'
    """
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
    return f"{kind}-{safe}"


# ------------------------------------------------------------------ Markdown

def _md_inline(parts: Sequence[Inline], in_table: bool = False) -> str:
    out = []
    for p in parts:
        if isinstance(p, Strong):
            out.append(f"**{p.text}**")
        elif isinstance(p, Link):
            out.append(f"[{p.text}]({p.href})")
        elif isinstance(p, Verdict):
            out.append(p.word)
        else:
            out.append(str(p))
    text = "".join(out)
    return text.replace("|", "\\|") if in_table else text


def _md_item(marker: str, item: ListItem, indent: str) -> List[str]:
    lines = [f"{indent}{marker}{_md_inline(item.inlines)}"]
    inner = indent + " " * len(marker)
    for b in item.blocks:
        if isinstance(b, Preformatted):
            lines += [f"{inner}```"] + [f"{inner}{ln}" for ln in b.text.splitlines()] + [f"{inner}```"]
        elif isinstance(b, (BulletList, NumberedList)):
            lines += _md_list(b, inner)
        else:
            lines += [inner + ln if ln else "" for ln in _md_block(b)]
    return lines


def _md_list(block, indent: str = "") -> List[str]:
    lines = []
    for i, item in enumerate(block.items, 1):
        lines += _md_item("- " if isinstance(block, BulletList) else f"{i}. ", item, indent)
    return lines


def _md_block(b: Block) -> List[str]:
    if isinstance(b, Heading):  # the anchor as an empty HTML element, which Markdown passes through
        anchor = f' <a id="{b.id}"></a>' if b.id else ""
        return ["#" * b.level + " " + _md_inline(b.inlines) + anchor]
    if isinstance(b, Paragraph):
        return [_md_inline(b.inlines)]
    if isinstance(b, (BulletList, NumberedList)):
        return _md_list(b)
    if isinstance(b, Table):
        lines = ["| " + " | ".join(h.replace("|", "\\|") for h in b.header) + " |",
                 "|" + "---|" * len(b.header)]
        lines += ["| " + " | ".join(_md_inline(c, in_table=True) for c in row) + " |" for row in b.rows]
        return lines
    if isinstance(b, Image):
        return [f"![{b.alt}]({b.src})"]
    if isinstance(b, Preformatted):
        return ["```"] + b.text.splitlines() + ["```"]
    raise TypeError(f"not a report block: {b!r}")


def to_markdown(blocks: Sequence[Block]) -> str:
    """The blocks as Markdown (blank line between blocks)."""
    return "\n\n".join("\n".join(_md_block(b)) for b in blocks) + "\n"


# ------------------------------------------------------------------ HTML

STYLE = """
body { font-family: sans-serif; max-width: 70em; margin: auto; padding: 0 1em; line-height: 1.4 }
table { border-collapse: collapse; margin: 0.5em 0 }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top }
th { background: #f3f3f3 }
img { max-width: 100% }
pre { background: #f7f7f7; padding: 0.5em; overflow-x: auto }
.verdict { font-weight: bold; padding: 0 0.3em; border-radius: 3px }
.verdict.pass { color: #ffffff; background: #1a7f37 }
.verdict.fail { color: #ffffff; background: #cf222e }
nav ul { margin: 0.2em 0 }
h2 a[href="#contents"] { font-size: small; font-weight: normal; margin-left: 0.5em }
"""


def image_src(path: Optional[Path], src: str) -> str:
    """The ``src`` of an image in the HTML: the PNG itself as a base64 data URI when the file is there."""
    if path is None or not Path(path).is_file():
        return src
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _add_text(parent: ET.Element, text: str) -> None:
    """Append ``text`` after the last child of ``parent`` (ElementTree keeps it as ``tail``)."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _html_inline(parent: ET.Element, parts: Sequence[Inline]) -> ET.Element:
    for p in parts:
        if isinstance(p, Strong):
            ET.SubElement(parent, "strong").text = p.text
        elif isinstance(p, Link):
            ET.SubElement(parent, "a", href=p.href).text = p.text
        elif isinstance(p, Verdict):
            ET.SubElement(parent, "span", {"class": "verdict " + ("pass" if p.passed else "fail")}).text = p.word
        else:
            _add_text(parent, str(p))
    return parent


def _html_list(parent: ET.Element, block) -> None:
    lst = ET.SubElement(parent, "ul" if isinstance(block, BulletList) else "ol")
    for item in block.items:
        li = _html_inline(ET.SubElement(lst, "li"), item.inlines)
        for b in item.blocks:
            _html_block(li, b)


def _html_block(parent: ET.Element, b: Block) -> None:
    if isinstance(b, Heading):
        attrs = {"id": b.id} if b.id else {}
        _html_inline(ET.SubElement(parent, f"h{b.level}", attrs), b.inlines)
    elif isinstance(b, Paragraph):
        _html_inline(ET.SubElement(parent, "p"), b.inlines)
    elif isinstance(b, (BulletList, NumberedList)):
        _html_list(parent, b)
    elif isinstance(b, Table):
        table = ET.SubElement(parent, "table")
        head = ET.SubElement(ET.SubElement(table, "thead"), "tr")
        for h in b.header:
            ET.SubElement(head, "th").text = h
        body = ET.SubElement(table, "tbody")
        for row in b.rows:
            tr = ET.SubElement(body, "tr")
            for cell in row:
                _html_inline(ET.SubElement(tr, "td"), cell)
    elif isinstance(b, Image):
        ET.SubElement(ET.SubElement(parent, "p"), "img", alt=b.alt, src=image_src(b.path, b.src))
    elif isinstance(b, Preformatted):
        ET.SubElement(parent, "pre").text = b.text
    else:
        raise TypeError(f"not a report block: {b!r}")


def to_html(blocks: Sequence[Block], title: str = "amlab report", nav: Sequence[Block] = ()) -> str:
    """A stand-alone HTML5 page of the blocks; ``nav`` (a table of contents) goes into a ``<nav>``
    after the first block (the page's title)."""
    html = ET.Element("html", lang="en")
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", charset="utf-8")
    ET.SubElement(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "style").text = STYLE
    body = ET.SubElement(html, "body")
    for i, b in enumerate(blocks):
        _html_block(body, b)
        if i == 0 and nav:
            box = ET.SubElement(body, "nav", {"aria-label": "contents"})
            for n in nav:
                _html_block(box, n)
    return "<!DOCTYPE html>\n" + ET.tostring(html, encoding="unicode", method="html") + "\n"


# ------------------------------------------------------------------ a Markdown file as blocks

def _strong_inlines(text: str) -> List[Inline]:
    """``text`` with its ``**bold**`` spans as ``Strong`` (the only inline markup the docs' lists use)."""
    pieces = text.split("**")
    if len(pieces) % 2 == 0:  # an unpaired ** stays literal
        return [text]
    return [Strong(p) if k % 2 else p for k, p in enumerate(pieces) if p]


def markdown_blocks(text: str, heading_offset: int = 0) -> List[Block]:
    """The blocks of a plain Markdown file of headings, paragraphs and ``-`` lists.

    Lines are grouped by structure: a ``#`` line is a heading (its level plus
    ``heading_offset``), a ``- `` line starts a list item and the indented
    lines after it continue that item, other consecutive lines form a
    paragraph; ``**bold**`` is kept. This is what docs/references.md uses.

    >>> markdown_blocks("# A\\n\\n- **x** one\\n  two\\n- y\\n\\nend")[1]
    BulletList(items=[ListItem(inlines=[Strong(text='x'), ' one two'], blocks=()), ListItem(inlines=['y'], blocks=())])
    """
    blocks: List[Block] = []
    para: List[str] = []
    items: List[List[str]] = []

    def flush():
        if para:
            blocks.append(Paragraph(_strong_inlines(" ".join(para))))
            para.clear()
        if items:
            blocks.append(BulletList([ListItem(_strong_inlines(" ".join(it))) for it in items]))
            items.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
        elif line.startswith("#"):
            flush()
            marks = len(line) - len(line.lstrip("#"))
            blocks.append(Heading(min(6, marks + heading_offset), _strong_inlines(line[marks:].strip())))
        elif line.startswith("- "):
            if para:
                flush()
            items.append([stripped[2:]])
        elif items and line.startswith(" "):
            items[-1].append(stripped)
        else:
            if items:
                flush()
            para.append(stripped)
    flush()
    return blocks
