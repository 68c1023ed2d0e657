"""Charts as SVG, drawn server-side with matplotlib (Agg), deterministic byte for byte.

Labels are set as SVG text, which matplotlib escapes, so a hostile theme label stays text.
"""

from __future__ import annotations

import functools
import io
import json
import re
import textwrap
from typing import TYPE_CHECKING

from web.publish.render import xml_safe

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHARTS = {"theme-sizes": "How often each theme came up (passages of the notes)",
          "themes-by-table": "Where each theme came up (passages by table)"}
NO_TABLE = "(no table)"
# Labels are user text: "$" must not switch on mathtext (a label like "$\\foo$" would raise and
# turn the chart into a server error), so math parsing is off for every text on the figure.
RC = {"svg.hashsalt": "harvest", "svg.fonttype": "none", "text.parse_math": False}


def _matplotlib():
    """matplotlib with the Agg backend, imported when a chart is drawn (~0.3 s), not with this module:
    the digest and the pages that only list chart names start without it."""
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return presentation_attributes(buf.getvalue())


# SVG presentation attributes: what matplotlib writes as CSS, said in a way no CSP blocks.
PRESENTATION = {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linejoin",
                "stroke-linecap", "stroke-opacity", "stroke-dasharray", "stroke-dashoffset",
                "stroke-miterlimit", "opacity", "font-size", "font-family", "font-weight", "font-style",
                "text-anchor", "clip-path", "display", "visibility", "dominant-baseline"}
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"\s*<style[^>]*>\*\{([^}]*)\}</style>")


def _attributes(css: str) -> str:
    out = []
    for declaration in css.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name in PRESENTATION and value:
            out.append(f' {name}="{value.replace(chr(34), "&quot;")}"')
    return "".join(out)


def presentation_attributes(svg: str) -> str:
    """matplotlib's SVG with its CSS (style="fill: ..." and a <style> rule) as presentation attributes.

    Opened at its own address the chart is a document under the site's CSP (style-src 'self'),
    which blocks inline styles: every shape would be drawn black. Presentation attributes
    (fill="#3b6ea5") are not styles, so the chart renders the same everywhere, offline too."""
    defaults = ""
    rule = _STYLE_ELEMENT.search(svg)
    if rule:
        defaults = _attributes(rule.group(1))
        svg = svg[:rule.start()] + svg[rule.end():]
    # Only inside tags: a theme label reading ' style="..."' is text and stays as written.
    svg = re.sub(r"<[^<>]+>", lambda tag: _STYLE_ATTR.sub(lambda m: _attributes(m.group(1)), tag.group(0)),
                 svg)
    # The <style> rule applied to every element: as inherited attributes on the root it still does.
    return re.sub(r"<svg\b", lambda m: m.group(0) + defaults, svg, count=1)


def _drawn_with_rc(draw):
    """Run a chart function under RC: texts read text.parse_math when they are created."""

    @functools.wraps(draw)
    def wrapper(data: dict) -> str:
        with _matplotlib().rc_context(RC):
            return draw(data)

    return wrapper


def _wrap(label: str, width: int = 32) -> str:
    return "\n".join(textwrap.wrap(xml_safe(label), width)[:3]) or " "


@_drawn_with_rc
def theme_sizes_svg(data: dict) -> str:
    """Horizontal bars: how many passages (segments) each theme holds, in digest order."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    themes = data.get("themes", [])
    labels = [_wrap(t["label"]) for t in themes] or ["(no themes)"]
    sizes = [t.get("size", 0) for t in themes] or [0]
    fig = Figure(figsize=(7, 0.55 * len(labels) + 1.2))
    ax = fig.add_subplot()
    ax.barh(range(len(labels)), sizes, color="#3b6ea5")
    ax.set_yticks(range(len(labels)), labels=labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("passages of the notes")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(CHARTS["theme-sizes"], fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _svg(fig)


def prevalence(data: dict) -> tuple[list[str], list[str], list[list[int]]]:
    """(theme labels, table names, counts[theme][table]) from the themes' segments."""
    themes = data.get("themes", [])
    tables: list[str] = []
    for theme in themes:
        for seg in theme.get("segments", []):
            name = seg.get("table") or NO_TABLE
            if name not in tables:
                tables.append(name)
    counts = [[sum(1 for s in t.get("segments", []) if (s.get("table") or NO_TABLE) == table)
               for table in tables] for t in themes]
    return [t["label"] for t in themes], tables, counts


@_drawn_with_rc
def themes_by_table_svg(data: dict) -> str:
    """A heatmap: segments of each theme (rows) raised at each table (columns)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels, tables, counts = prevalence(data)
    if not labels or not tables:
        labels, tables, counts = ["(no themes)"], [NO_TABLE], [[0]]
    fig = Figure(figsize=(max(4.5, 1.1 * len(tables) + 3.5), 0.55 * len(labels) + 1.6))
    ax = fig.add_subplot()
    image = ax.imshow(counts, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(tables)), labels=[_wrap(t, 14) for t in tables], fontsize=8)
    ax.set_yticks(range(len(labels)), labels=[_wrap(lab) for lab in labels], fontsize=9)
    peak = max(max(row) for row in counts) or 1
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", fontsize=8,
                    color="white" if value > peak / 2 else "black")
    ax.set_title(CHARTS["themes-by-table"], fontsize=11)
    fig.colorbar(image, ax=ax, label="passages", ticks=MaxNLocator(integer=True))
    return _svg(fig)


def chart_key(data: dict) -> str:
    """All a chart is drawn from, as text: each theme's label, size and its passages' tables.

    A key for the drawn charts: any change the charts show (a new run, a rename, a merge, a
    split, a name replaced) changes it, and nothing else does (a hidden quote, a summary)."""
    return json.dumps([[t["label"], t.get("size", 0), [s.get("table") for s in t.get("segments", [])]]
                       for t in data.get("themes", [])], ensure_ascii=False)


@functools.lru_cache(maxsize=64)
def _drawn(name: str, key: str) -> str:
    themes = [{"label": label, "size": size, "segments": [{"table": table} for table in tables]}
              for label, size, tables in json.loads(key)]
    return chart_svg(name, {"themes": themes})


def cached_chart_svg(name: str, data: dict) -> str:
    """chart_svg, drawn once per chart_key: the Digest tab's preview redrew both charts on every
    load (0.3-0.4 s each, second walk-through N8), though they change only with the themes."""
    if name not in CHARTS:
        raise KeyError(name)
    return _drawn(name, chart_key(data))


def chart_svg(name: str, data: dict) -> str:
    """The named chart ('theme-sizes' or 'themes-by-table') for a digest's data."""
    if name == "theme-sizes":
        return theme_sizes_svg(data)
    if name == "themes-by-table":
        return themes_by_table_svg(data)
    raise KeyError(name)
