"""The network digest's chart: each theme's share of every event's notes over time, as SVG drawn
on the server (matplotlib, presentation attributes, so it renders under the CSP and offline)."""

from __future__ import annotations

import base64
import re

from web.publish.charts import RC, _matplotlib, _svg
from web.publish.render import xml_safe


def share_svg(theme: dict) -> str:
    """Bars per event in date order: the share of that event's notes the theme took (0 if absent)."""
    with _matplotlib().rc_context(RC):
        from matplotlib.figure import Figure
        from matplotlib.ticker import PercentFormatter

        shares = theme["shares"]
        names = [xml_safe(name) for name in _tick_labels(shares)] or ["(no events)"]
        values = [s["share"] for s in shares] or [0]
        fig = Figure(figsize=(max(4.0, 0.6 * len(names) + 1.5), 2.8))
        ax = fig.add_subplot()
        ax.bar(range(len(names)), values, color="#3b6ea5")
        ax.set_xticks(range(len(names)), labels=names, fontsize=8, rotation=45, ha="right")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(0, max(max(values) * 1.15, 0.05))
        ax.set_ylabel("share of the event's passages", fontsize=8)
        ax.set_title(xml_safe(theme["label"])[:80], fontsize=10)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return _svg(fig)


def _tick_labels(shares: list[dict]) -> list[str]:
    """Each bar's date, with the event's short name where two events share a date (two bars both
    labelled "2026-03-12" would not say which is which)."""
    dates = [s["date"] for s in shares]
    return [f"{_short_date(s['date'])} {s['slug'][:24]}" if s["date"] and dates.count(s["date"]) > 1
            else _short_date(s["date"]) or s["slug"] for s in shares]


def _short_date(day: str | None) -> str | None:
    """'2026-03-12' as '12 Mar 2026', as the pages write dates (returned as given if not a date)."""
    from datetime import date

    try:
        when = date.fromisoformat(day or "")
    except ValueError:
        return day
    return f"{when.day} {when:%b %Y}"


def theme_chart(data: dict, theme_id: str) -> str | None:
    """The chart of one network theme of a version's data, or None for an unknown theme."""
    for theme in data["themes"]:
        if theme["id"] == theme_id:
            return share_svg(theme)
    return None


_SRC = re.compile(r"/series/[^\s\"'()]+/charts/(?P<theme>[a-z0-9-]+)\.svg")


def inline_charts(version: dict) -> dict[str, str]:
    """{chart link in the Markdown: a data: URI of the chart}, for the self-contained HTML download."""
    out = {}
    for m in _SRC.finditer(version["markdown"]):
        svg = theme_chart(version["data"], m.group("theme"))
        if svg and m.group(0) not in out:
            encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
            out[m.group(0)] = "data:image/svg+xml;base64," + encoded
    return out
