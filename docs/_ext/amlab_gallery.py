"""The gallery of the documentation site, written from amlab's registries when Sphinx starts.

``setup(app)`` connects :func:`generate` to Sphinx's ``builder-inited`` event.
It writes MyST Markdown pages under ``<srcdir>/gallery/``:

* ``gallery/figures.md`` and one ``gallery/figures/NAME.md`` per registered
  figure (``figures.registry``): the image, its caption, the published result
  it regenerates, the checks that back it, the exact ``amlab figures NAME``
  command and the plotted data as a download;
* ``gallery/checks.md`` and one page per check (``simulations.checks.registry``):
  what it compares, its statistical test and tolerance, its sizes, its
  measured minimum detectable error (``benchmarks/results/false_alarms.json``)
  and the mutants of ``tests/mutants.py`` it kills in the recorded kill matrix
  (``benchmarks/results/kill_matrix_quick_2seeds.json``);
* ``gallery/derivations.md`` and one page per derivation (``theory.derivation``),
  its steps rendered as LaTeX;
* ``gallery/demos.md`` and one page per demo (``amlab.demos``).

Figure images and records. A figure's image is ``docs/gallery/NAME.png`` where
it is committed (the quick-size image at seed 0, reduced for the web). Its
caption and source come from ``docs/gallery/captions.json``, the record of
``amlab figures --quick`` at seed 0 (rewritten by ``python
docs/_ext/amlab_gallery.py --refresh``). Unless ``AMLAB_DOCS_QUICK=1``, the
build also draws every figure at quick size into ``<srcdir>/gallery/_rendered``
(kept between builds and redrawn only when amlab's source changes): that gives
the data JSON to download, and the image of a figure not committed yet. At
quick documentation size nothing is drawn; the pages then show the committed
images and say which ones, and which data files, are missing.

The generated pages and ``_rendered`` are build products (ignored by git). A
page is rewritten only when its text changes, so Sphinx's incremental build
reads only what changed; pages of names no longer registered are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import string
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

#: The repository root (``docs/_ext/`` is two levels below it).
ROOT = Path(__file__).resolve().parents[2]

#: The pages the site index lists (its "Gallery and notebooks" toctree): each section's index.
SITE_PAGES = ["gallery/figures", "gallery/checks", "gallery/derivations", "gallery/demos"]

#: Where ``amlab_notebooks`` (when the site loads it) writes each demo's notebook, from the source folder.
NOTEBOOK = "notebooks/files/{name}.ipynb"

#: The four sections of the gallery: page stem under ``gallery/`` and its heading.
SECTIONS = {"figures": "Figures", "checks": "Checks", "derivations": "Derivations", "demos": "Demos"}

#: Committed figure images and the caption record, relative to ``docs/``.
IMAGES = "gallery"
CAPTIONS = "gallery/captions.json"
#: Where the build draws figures (relative to the source folder), ignored by git.
RENDERED = "gallery/_rendered"

KILL_MATRIX = "benchmarks/results/kill_matrix_quick_2seeds.json"
FALSE_ALARMS = "benchmarks/results/false_alarms.json"

_PUNCT = set(string.punctuation)


# ------------------------------------------------------------------ Markdown helpers

def md(text: str) -> str:
    """``text`` as literal MyST Markdown: every ASCII punctuation character backslash-escaped.

    CommonMark lets any ASCII punctuation be escaped, so registry texts with
    ``*``, ``_``, ``<`` or ``$`` print as written.

    Examples
    --------
    >>> md("P_err = Phi(-x) * 2")
    'P\\\\_err \\\\= Phi\\\\(\\\\-x\\\\) \\\\* 2'
    """
    text = " ".join(str(text).split())  # one line: a newline could start a block
    return "".join("\\" + c if c in _PUNCT else c for c in text)


def code(text: str) -> str:
    """``text`` as an inline code span (a fence longer than any backtick run inside)."""
    text = " ".join(str(text).split())
    ticks = "`"
    while ticks in text:
        ticks += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(body: str, info: str = "", options: Sequence[str] = ()) -> str:
    """A fenced block (a directive when ``info`` is ``{name}``), its fence longer than any inside."""
    fence = "```"
    while fence in body:
        fence += "`"
    head = [fence + info] + [f":{o}" for o in options]
    return "\n".join(head + [body.rstrip("\n"), fence]) + "\n"


def first_paragraph(doc: Optional[str]) -> str:
    """The first paragraph of a docstring, on one line ("" when there is none)."""
    doc = inspect.cleandoc(doc or "")
    return " ".join(doc.split("\n\n")[0].split())


# ------------------------------------------------------------------ the registries

@dataclass
class Catalogue:
    """Everything the gallery shows, read from the registries and the recorded results."""

    figures: Dict = field(default_factory=dict)
    checks: Dict = field(default_factory=dict)
    derivations: Dict = field(default_factory=dict)
    demos: Dict = field(default_factory=dict)
    mutants: Dict = field(default_factory=dict)
    #: mutant name -> {"killed_by": [...], "some_seeds": [...], "errors": [...]} at quick size
    kills: Dict = field(default_factory=dict)
    kill_seeds: List[int] = field(default_factory=list)
    #: check name -> the false-alarm record of its quick run at master seed 0
    mde: Dict = field(default_factory=dict)
    mde_provenance: Dict = field(default_factory=dict)
    #: derivation name -> its built ``Derivation`` (SymPy work, about a second each: built once, by ``derivation``)
    built: Dict = field(default_factory=dict)

    def derivation(self, name: str):
        """The ``Derivation`` registered as ``name``, built on first use."""
        if name not in self.built:
            self.built[name] = self.derivations[name]()
        return self.built[name]


@contextlib.contextmanager
def _environ_kept():
    """Undo any change to ``os.environ`` (``benchmarks/kill_matrix.py`` sets NUMBA_NUM_THREADS on import)."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def collect(root: Path = ROOT) -> Catalogue:
    """Read every registry (figures, checks, derivations, demos, mutants) and the recorded kills and MDEs."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    import amlab.demos
    import figures.catalog  # noqa: F401  (registers every figure)
    import simulations.checks.suite  # noqa: F401  (registers every check)
    import theory.derivations  # noqa: F401  (registers every derivation)
    from figures.registry import FIGURES
    from simulations.checks.registry import CHECKS
    from theory.derivation import DERIVATIONS

    with _environ_kept():
        from benchmarks.kill_matrix import kills
        from tests.mutants import MUTANTS

    cat = Catalogue(dict(FIGURES), dict(CHECKS), dict(DERIVATIONS), dict(amlab.demos.DEMOS), dict(MUTANTS))
    rows = json.loads((root / KILL_MATRIX).read_text())["rows"]
    cat.kills = kills(rows, "quick")
    cat.kill_seeds = sorted({r["seed"] for r in rows if r["size"] == "quick"})
    fa = json.loads((root / FALSE_ALARMS).read_text())
    cat.mde = fa["seeds"]["0"]["checks"]
    cat.mde_provenance = fa.get("provenance", {})
    return cat


# ------------------------------------------------------------------ figure records and images

@dataclass
class FigureFiles:
    """What the build has for one figure: its image (relative to ``docs/``), caption record and data JSON."""

    image: Optional[str] = None
    record: Dict = field(default_factory=dict)
    data: Optional[str] = None
    note: str = ""


def read_captions(docs: Path) -> Dict:
    """The committed caption record (``{}`` when there is none)."""
    path = docs / CAPTIONS
    return json.loads(path.read_text())["figures"] if path.exists() else {}


def source_stamp(root: Path = ROOT) -> str:
    """A hash of amlab's Python sources: drawn figures are reused while it is unchanged."""
    h = hashlib.sha256()
    for pkg in ("hopfield", "theory", "simulations", "figures", "amlab"):
        for p in sorted((root / pkg).rglob("*.py")):
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def render(cat: Catalogue, out: Path, names: Sequence[str], log=print) -> Dict[str, str]:
    """Draw ``names`` at quick size, seed 0, into ``out``; a figure already drawn from the same sources is kept.

    Returns the reason of each figure that could not be drawn.
    """
    from figures.registry import FigureError

    out.mkdir(parents=True, exist_ok=True)
    stamp_file = out / "stamp.json"
    stamp = source_stamp()
    stamps = json.loads(stamp_file.read_text()) if stamp_file.exists() else {}
    failed = {}
    for name in names:
        if stamps.get(name) == stamp and (out / f"{name}.json").exists() and (out / f"{name}.png").exists():
            continue
        t0 = time.perf_counter()
        try:
            cat.figures[name].func(out, quick=True, seed=0)
        except FigureError as e:
            failed[name] = str(e)
            continue
        stamps[name] = stamp
        log(f"amlab_gallery: drew {name} at quick size ({time.perf_counter() - t0:.1f} s)")
        _write_text(stamp_file, json.dumps(stamps, indent=1, sort_keys=True) + "\n")
    return failed


def figure_files(cat: Catalogue, docs: Path, rendered: bool) -> Dict[str, FigureFiles]:
    """Per figure (``docs``: the source folder): the committed image or else a drawn one, the caption record, the
    data JSON if drawn."""
    captions = read_captions(docs)
    files = {}
    for name in cat.figures:
        f = FigureFiles(record=dict(captions.get(name, {})))
        drawn = docs / RENDERED
        if (docs / IMAGES / f"{name}.png").exists():
            f.image = f"{IMAGES}/{name}.png"
        elif rendered and (drawn / f"{name}.png").exists():
            f.image = f"{RENDERED}/{name}.png"
        if rendered and (drawn / f"{name}.json").exists():
            f.data = f"{RENDERED}/{name}.json"
            full = json.loads((drawn / f"{name}.json").read_text())
            f.record = {k: full[k] for k in ("caption", "source", "size", "seed") if k in full}
        files[name] = f
    return files


# ------------------------------------------------------------------ pages

def _links(names: Sequence[str], section: str, up: str = "../") -> str:
    return ", ".join(f"[{code(n)}]({up}{section}/{n}.md)" for n in names)


def figure_page(cat: Catalogue, name: str, files: FigureFiles) -> str:
    fig = cat.figures[name]
    module = fig.func.__module__
    backing = [c.name for c in cat.checks.values() if name in c.figures]
    derivs = sorted({d for c in backing for d in cat.checks[c].derivations})
    rec = files.record
    out = [f"# {md(name)}", "", md(fig.title[:1].upper() + fig.title[1:]) + ".", ""]
    if files.image:
        out.append(fenced("", "{image} /" + files.image, [f"alt: {' '.join(fig.title.split())}", "width: 100%"]))
    else:
        out += ["*No image in this build:* " + md(files.note or "not committed in docs/gallery and not drawn "
                                                   "(AMLAB_DOCS_QUICK=1).") + " The command below draws it.", ""]
    if rec.get("caption"):
        out += ["**Caption.** " + md(rec["caption"]), ""]
    else:
        out += ["**Caption.** " + md("Not recorded yet; `amlab figures NAME` writes it into NAME.json.")
                .replace("NAME", md(name)), ""]
    out += ["**Regenerates.** " + (md(rec["source"]) if rec.get("source") else md("(not recorded yet)")), ""]
    intro = first_paragraph(sys.modules[module].__doc__)
    out += [f"**Module.** {{py:mod}}`{module}`: " + md(intro), ""]
    where = {"simulated": "simulated points, from the registered estimators " + ", ".join(map(code, fig.estimators))
             if fig.estimators else "simulated points",
             "theory": "closed-form or numerically solved theory only",
             "recorded": "recorded training runs read from disk (figures/data)"}[fig.points]
    out += ["**Points.** " + where + ".", ""]
    out += ["**Checks that back it.** " + (_links(backing, "checks") if backing else
                                           "none (no check names this figure)") + ".", ""]
    if derivs:
        out += ["**Derivations.** " + _links(derivs, "derivations") + ".", ""]
    out += ["## Make it", "", fenced(f"amlab figures {name}\namlab figures {name} --full", "console"),
            "The first draws it at quick size, seed 0 (this image), the second at the paper's sizes. Each writes " + ", ".join(code(f"{name}.{e}") for e in ("png", "pdf", "json")) +
            " into " + code("amlab-figures/") + " (" + code("--out DIR") + " to change): the JSON holds the "
            "plotted data, the caption, the source and the provenance.", ""]
    if files.data:
        out += [f"**Data.** {{download}}`{name}.json </{files.data}>` (the plotted data of the quick-size figure at "
                "seed 0, drawn by this build).", ""]
    else:
        out += ["**Data.** Not drawn in this build (" + code("AMLAB_DOCS_QUICK=1") + "); the command above writes " +
                code(f"{name}.json") + ".", ""]
    return "\n".join(out)


def _params(sizes: Dict) -> str:
    rows = ["| size | parameters |", "|---|---|"]
    for size, params in sizes.items():
        text = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "(defaults)"
        rows.append(f"| {size} | {md(text)} |")
    return "\n".join(rows)


def check_page(cat: Catalogue, name: str) -> str:
    c = cat.checks[name]
    out = [f"# {md(name)}", "", md(c.title[:1].upper() + c.title[1:]) + ".", "",
           "**Theory.** " + md(c.theory), "", "**Statistical test and tolerance.** " + md(c.test), ""]
    out += ["**Run it.**", "", fenced(f"amlab check {name}\namlab check {name} --full", "console"),
            "at quick size (seconds), then at full size.", ""]
    out += ["## Sizes", "", _params(c.sizes), ""]
    if c.smoke:
        out += ["A smoke test at " + " and ".join(c.smoke) + " size: its minimum detectable error there exceeds 10% "
                "of its key quantity, so a pass says little.", ""]
    m = cat.mde.get(name)
    out += ["## Minimum detectable error", ""]
    where = (f"recorded in {code(FALSE_ALARMS)}, amlab {md(cat.mde_provenance.get('amlab', '?'))}, "
             f"{md(str(cat.mde_provenance.get('time', ''))[:10])}")
    if m and isinstance(m.get("mde"), (int, float)):
        rel = m.get("mde_relative")
        rel_text = f" ({100 * rel:.1f}% of the key quantity)" if isinstance(rel, (int, float)) and rel == rel else ""
        tol = m.get("key_tolerance")
        tol_text = f", tolerance {tol:.3g}" if isinstance(tol, (int, float)) else ""
        out += [f"At quick size, master seed 0, the key point {code(m.get('mde_point') or '?')} has MDE "
                f"{m['mde']:.3g}{rel_text}{tol_text}: the error of the prediction the check detects with 80% power "
                f"at its family level ({where}).", ""]
    elif m:
        out += [f"None: no point of this check carries a p-value (its points are judged exactly), so there is no "
                f"detectable error to state ({where}).", ""]
    else:
        out += [f"Not recorded in {code(FALSE_ALARMS)}; {code(f'amlab check {name}')} prints it (column MDE).", ""]
    out += ["## Mutants it kills", ""]
    touching = [mu for mu in cat.mutants.values() if name in mu.family]
    if not touching:
        out += ["No mutant of " + code("tests/mutants.py") + " touches what this check reads.", ""]
    else:
        seeds = " and ".join(map(str, cat.kill_seeds))
        out += [f"The mutants of {code('tests/mutants.py')} that touch what the check reads. *Quick*: the recorded "
                f"kill matrix ({code(KILL_MATRIX)}, seeds {seeds}): killed when the check fails under the mutant at "
                "every seed and passes unmutated there. *Full*: declared full-size targets (measured kills, asserted "
                "by the slow mutant tests).", "", "| mutant | kind | the slip | quick | full |", "|---|---|---|---|---|"]
        for mu in touching:
            k = cat.kills.get(mu.name)
            if k is None:
                quick = "not run"
            elif name in k["killed_by"]:
                quick = "**killed**"
            elif name in k["some_seeds"]:
                quick = "at some seeds"
            elif name in k["errors"]:
                quick = "error"
            else:
                quick = "survives"
            full = "**killed**" if name in mu.targets else "no"
            out.append(f"| {code(mu.name)} | {mu.kind} | {md(mu.description)} | {quick} | {full} |")
        n = sum(1 for mu in touching if mu.name in cat.kills and name in cat.kills[mu.name]["killed_by"])
        out += ["", f"Killed at quick size: {n} of {len(touching)}.", ""]
    if c.figures:
        out += ["**Figures.** " + _links(c.figures, "figures") + ".", ""]
    if c.derivations:
        out += ["**Derivations.** " + _links(c.derivations, "derivations") + ".", ""]
    out += [f"**Code.** {{py:mod}}`{c.func.__module__}`.", ""]
    return "\n".join(out)


def derivation_page(cat: Catalogue, name: str) -> str:
    from theory.derivation import format_expr

    d = cat.derivation(name)
    checks = [c.name for c in cat.checks.values() if name in c.derivations]
    out = [f"# {md(name)}", "", md(d.title) + ".", "", "**Source.** " + md(d.source), ""]
    if checks:
        out += ["**Checked by.** " + _links(checks, "checks") + ".", ""]
    out += ["**Print it.**", "", fenced(f"amlab derive {name}\namlab derive {name} --latex", "console"),
            "## Steps", ""]
    for i, step in enumerate(d.steps, 1):
        item = f"{i}. "
        out += [item + md(step.text), ""]
        eqs = format_expr(step.expr, latex=True).splitlines()
        out.append(textwrap.indent(fenced("\n\n".join(eqs), "{math}"), " " * len(item)))  # inside the list item
    module = cat.derivations[name].__module__
    out += [f"**Code.** {{py:mod}}`{module}` (the steps are built by the same SymPy code as the formulas).", ""]
    return "\n".join(out)


def demo_page(cat: Catalogue, name: str, notebook: bool = False) -> str:
    """A demo's page; ``notebook``: the site also builds the demo notebooks (``amlab_notebooks``), link it."""
    demo = cat.demos[name]
    module = sys.modules[demo.func.__module__]
    doc = inspect.cleandoc(module.__doc__ or "").split("\nReferences\n")
    refs = " ".join(doc[1].strip("-\n ").split()) if len(doc) > 1 else ""
    out = [f"# {md(name)}", "", md(demo.title[:1].upper() + demo.title[1:]) + ".", "",
           md(first_paragraph(doc[0])), ""]
    out += ["**Run it.**", "", fenced(f"amlab demo {name} --out amlab-demos/{name}\n"
                                      f"amlab demo {name} --notebook {name}.ipynb", "console"),
            "The first command prints the demo's narrative and writes its images (and an animation where motion "
            "teaches); the second writes it as a Jupyter notebook whose cells call amlab's own functions.", ""]
    if notebook:
        out += [f"**Notebook.** {{download}}`{name}.ipynb </{NOTEBOOK.format(name=name)}>`.", ""]
    if refs:
        out += ["**References.** " + md(refs), ""]
    out += [f"**Code.** {{py:mod}}`{demo.func.__module__}`.", ""]
    return "\n".join(out)


def index_page(section: str, items: Sequence[tuple], intro: str) -> str:
    """A section's index: its intro, a list of (name, title) links and the hidden toctree over its pages."""
    out = [f"# {SECTIONS[section]}", "", intro, ""]
    out += [f"- [{code(n)}]({section}/{n}.md): {md(t)}" for n, t in items]
    out += ["", fenced("\n".join(f"{section}/{n}" for n, _ in items), "{toctree}", ["hidden:", "maxdepth: 1"])]
    return "\n".join(out)


def figures_index(cat: Catalogue, files: Dict[str, FigureFiles]) -> str:
    missing = [n for n, f in files.items() if not f.image]
    drawn = [n for n, f in files.items() if f.image and f.image.startswith(RENDERED)]
    committed = len(files) - len(missing) - len(drawn)
    intro = (f"{len(files)} registered figures. Each page shows the image, its caption, the result it regenerates, "
             "the checks that back it, the command that makes it and its data. Images: "
             f"{committed} committed quick-size images (seed 0) from {code('docs/gallery')}")
    if drawn:
        intro += f", {len(drawn)} drawn at quick size by this build"
    intro += "."
    if missing:
        intro += " Without an image in this build: " + ", ".join(map(code, missing)) + "."
    return index_page("figures", [(n, f.title) for n, f in cat.figures.items()], intro)


def pages(cat: Catalogue, files: Dict[str, FigureFiles], sections: Sequence[str] = tuple(SECTIONS),
          notebooks: bool = False) -> Dict[str, str]:
    """The generated pages of ``sections``: path under ``gallery/`` (without ``.md``) -> its MyST text.

    ``notebooks``: the demo pages link the demo notebooks that ``amlab_notebooks`` writes.
    """
    out = {}
    if "figures" in sections:
        out["figures"] = figures_index(cat, files)
        for n in cat.figures:
            out[f"figures/{n}"] = figure_page(cat, n, files[n])
    if "checks" in sections:
        out.update(_check_pages(cat))
    if "derivations" in sections:
        out.update(_derivation_pages(cat))
    if "demos" in sections:
        out.update(_demo_pages(cat, notebooks))
    return out


def _check_pages(cat: Catalogue) -> Dict[str, str]:
    out = {}
    n_mut = len(cat.mutants)
    out["checks"] = index_page("checks", [(n, c.title) for n, c in cat.checks.items()],
                               f"{len(cat.checks)} registered checks, each holding a simulated quantity against its "
                               "prediction with a stated test. Each page gives the theory, the test and tolerance, "
                               f"the sizes, the measured minimum detectable error and which of the {n_mut} "
                               "catalogued mutants (deliberate bugs) it kills.")
    for n in cat.checks:
        out[f"checks/{n}"] = check_page(cat, n)
    return out


def _derivation_pages(cat: Catalogue) -> Dict[str, str]:
    out = {}
    titles = {n: cat.derivation(n).title for n in cat.derivations}
    out["derivations"] = index_page("derivations", list(titles.items()),
                                    f"{len(titles)} registered derivations, each a sequence of SymPy steps "
                                    f"({code('amlab derive NAME')}), rendered here as LaTeX.")
    for n in cat.derivations:
        out[f"derivations/{n}"] = derivation_page(cat, n)
    return out


def _demo_pages(cat: Catalogue, notebooks: bool) -> Dict[str, str]:
    out = {}
    out["demos"] = index_page("demos", [(n, d.title) for n, d in cat.demos.items()],
                              f"{len(cat.demos)} scripted teaching demos ({code('amlab demo NAME')}), in teaching "
                              "order; each is also a notebook.")
    for n in cat.demos:
        out[f"demos/{n}"] = demo_page(cat, n, notebooks)
    return out


# ------------------------------------------------------------------ writing

def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def write_pages(gallery: Path, texts: Dict[str, str]) -> List[str]:
    """Write the pages under ``gallery`` (only those whose text changed); remove stale generated pages.

    Returns the pages written.
    """
    written = []
    for rel, text in texts.items():
        path = gallery / f"{rel}.md"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            _write_text(path, text)
            written.append(rel)
    for section in SECTIONS:
        folder = gallery / section
        if folder.is_dir():
            for p in folder.glob("*.md"):
                if f"{section}/{p.stem}" not in texts:
                    p.unlink()
    return written


def quick() -> bool:
    """Whether this is a quick documentation build (``AMLAB_DOCS_QUICK=1``)."""
    return os.environ.get("AMLAB_DOCS_QUICK", "") not in ("", "0")


def generate(app) -> None:
    """Sphinx ``builder-inited`` handler: draw (unless quick) and write every gallery page."""
    from sphinx.util import logging

    log = logging.getLogger(__name__)
    srcdir = Path(app.srcdir)
    cat = collect()
    draw = not quick()
    failed = render(cat, srcdir / RENDERED, list(cat.figures), log=log.info) if draw else {}
    files = figure_files(cat, srcdir, draw)
    for name, why in failed.items():
        files[name].note = f"the figure could not be drawn: {why}"
    written = write_pages(srcdir / "gallery", pages(cat, files, notebooks="amlab_notebooks" in app.extensions))
    missing = [n for n, f in files.items() if not f.image]
    log.info(f"amlab_gallery: {len(written)} pages written; figures without an image: {len(missing)}"
             + (f" ({', '.join(missing)})" if missing else ""))


def exclude_rendered(app, config) -> None:
    """Sphinx ``config-inited`` handler: the drawn figures' folder holds no pages (a figure may write Markdown)."""
    config.exclude_patterns = list(config.exclude_patterns) + [RENDERED, RENDERED + "/**"]


def setup(app):
    """Register the gallery with Sphinx."""
    app.connect("config-inited", exclude_rendered)
    app.connect("builder-inited", generate)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


# ------------------------------------------------------------------ the caption record

def caption_record(folder: Path, names: Sequence[str]) -> Dict:
    """The caption record of the figures ``names`` drawn into ``folder`` (their JSON files) at quick size, seed 0."""
    figs, provenance = {}, {}
    for name in names:
        meta = json.loads((Path(folder) / f"{name}.json").read_text())
        if meta.get("size") != "quick" or meta.get("seed") != 0:
            raise ValueError(f"{name}.json in {folder} is size {meta.get('size')!r}, seed {meta.get('seed')!r}; "
                             "the record is of quick-size figures at seed 0")
        figs[name] = {"caption": meta["caption"], "source": meta["source"]}
        provenance = meta.get("provenance", provenance)
    return {"made_by": "amlab figures --quick --seed 0", "provenance": provenance, "figures": figs}


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python docs/_ext/amlab_gallery.py --refresh [--from DIR]``: rewrite ``docs/gallery/captions.json``."""
    import argparse

    ap = argparse.ArgumentParser(description="Rewrite docs/gallery/captions.json, the caption and source of every "
                                 "registered figure at quick size, seed 0.")
    ap.add_argument("--refresh", action="store_true", required=True)
    ap.add_argument("--from", dest="folder", metavar="DIR",
                    help="read the JSON files that `amlab figures --quick` wrote into DIR instead of drawing them")
    args = ap.parse_args(argv)
    cat = collect()
    names = list(cat.figures)
    if args.folder is not None:
        folder = Path(args.folder)
        absent = [n for n in names if not (folder / f"{n}.json").exists()]
        if absent:
            ap.error(f"--from {folder}: no JSON of {', '.join(absent)}")
        record = caption_record(folder, names)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            failed = render(cat, Path(tmp), names)
            if failed:
                ap.error("could not draw " + ", ".join(f"{n} ({why})" for n, why in failed.items()))
            record = caption_record(Path(tmp), names)
    _write_text(ROOT / "docs" / CAPTIONS, json.dumps(record, indent=1) + "\n")
    print(f"wrote {ROOT / 'docs' / CAPTIONS} ({len(names)} figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
