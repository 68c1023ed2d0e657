"""Charts as SVG, drawn server-side with matplotlib (Agg), deterministic byte for byte.

Labels are set as SVG text, which matplotlib escapes, so a hostile theme label stays text.
"""

from __future__ import annotations

import functools
import io
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
    return buf.getvalue()


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


def chart_svg(name: str, data: dict) -> str:
    """The named chart ('theme-sizes' or 'themes-by-table') for a digest's data."""
    if name == "theme-sizes":
        return theme_sizes_svg(data)
    if name == "themes-by-table":
        return themes_by_table_svg(data)
    raise KeyError(name)
