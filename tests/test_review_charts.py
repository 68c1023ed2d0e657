"""The Digest tab's preview charts: drawn once for the themes as they stand, redrawn when what
they show changes (second walk-through N8: both were redrawn on every load, 1-2.5 s a tab)."""

from __future__ import annotations

import pytest
from publishing_data import make_result, seed_event, store_result
from web_helpers import csrf, login

import web.publish.charts as charts

SLUG = "round-table"
CHARTS = ("theme-sizes", "themes-by-table")


@pytest.fixture
def drawn(monkeypatch):
    """The charts matplotlib draws (the real drawing, counted)."""
    seen: list[str] = []
    real = charts.chart_svg

    def counting(name, data):
        seen.append(name)
        return real(name, data)

    monkeypatch.setattr(charts, "chart_svg", counting)
    charts._drawn.cache_clear()
    yield seen
    charts._drawn.cache_clear()


def test_the_preview_charts_are_drawn_once_and_again_only_when_the_themes_change(app, client, db, drawn):
    event = seed_event(db, slug=SLUG)
    store_result(db, event, make_result(db, event))
    login(client)
    first = {name: client.get(f"/review/{SLUG}/charts/{name}.svg") for name in CHARTS}
    for _ in range(3):  # three more loads of the tab: nothing drawn
        again = {name: client.get(f"/review/{SLUG}/charts/{name}.svg") for name in CHARTS}
    assert drawn == list(CHARTS)
    assert all(again[n].data == first[n].data and b"Bigger contracts" in first[n].data for n in CHARTS)
    # A browser holding the chart is told it is current, and nothing is drawn or sent.
    tag = first["theme-sizes"].headers["ETag"]
    held = client.get(f"/review/{SLUG}/charts/theme-sizes.svg", headers={"If-None-Match": tag})
    assert held.status_code == 304 and held.data == b"" and drawn == list(CHARTS)
    assert "no-cache" in first["theme-sizes"].headers["Cache-Control"]

    # A rename changes what the charts show: both are drawn again, with the new label.
    token = csrf(client, f"/review/{SLUG}")
    res = client.post(f"/review/{SLUG}/edit", data={"csrf_token": token, "op": "rename", "theme": "t0",
                                                    "label": "Contracts too big"})
    assert res.status_code == 302
    after = client.get(f"/review/{SLUG}/charts/theme-sizes.svg", headers={"If-None-Match": tag})
    assert after.status_code == 200 and b"Contracts too big" in after.data
    assert b"Bigger contracts" not in after.data and after.headers["ETag"] != tag
    # A new synthesis run with other themes: drawn again too.
    store_result(db, event, make_result(db, event, [("Trust and partnership", ("distrust", "partnership"))]))
    latest = client.get(f"/review/{SLUG}/charts/themes-by-table.svg")
    assert b"Trust and partnership" in latest.data and b"Contracts too big" not in latest.data
    assert drawn == [*CHARTS, "theme-sizes", "themes-by-table"]


def test_a_cached_chart_is_the_chart_drawn_from_the_full_data(db):
    event = seed_event(db, slug=SLUG)
    store_result(db, event, make_result(db, event))
    from web.publish.digest import chart_data

    data = chart_data(db, event)
    for name in CHARTS:
        assert charts.cached_chart_svg(name, data) == charts.chart_svg(name, data)
