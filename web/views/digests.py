"""Public digest pages (no login): the index, each digest and version, downloads, charts, the feed."""

from __future__ import annotations

import functools
import json

from flask import Blueprint, Response, abort, current_app, render_template, request
from markupsafe import Markup

from capture.errors import NotFound
from capture.store import find_event
from web.db import get_db
from web.page_cache import cached_public
from web.publish.charts import CHARTS, chart_svg
from web.publish.feed import atom_feed
from web.publish.publishing import (
    get_version,
    list_published,
    list_versions,
    newer_version,
    render_version,
    withdrawn_version,
)
from web.publish.render import long_date, markdown_to_html

bp = Blueprint("digests", __name__)
bp.add_app_template_filter(long_date, "day")  # dates written out on the public pages

DOWNLOADS = {"digest.md": ("markdown", "text/markdown; charset=utf-8"),
             "digest.html": ("html", "text/html; charset=utf-8"),
             "digest.json": ("json", "application/json"),
             "themes.csv": ("csv", "text/csv; charset=utf-8")}


def _version(slug: str, version: int | None = None) -> tuple[object, dict]:
    event = find_event(get_db(), slug)
    if event is None:
        abort(404)
    try:
        return event, get_version(get_db(), event, version)
    except NotFound:
        gone = withdrawn_version(get_db(), event, version) if version is not None else None
        if gone:
            abort(410, description=f"Version {version} of this digest was withdrawn on "
                                   f"{long_date(gone['withdrawn_at'])}. The current digest, if there is "
                                   f"one, is at /digests/{slug}.")
        abort(404)


@functools.lru_cache(maxsize=64)
def _published_chart(name: str, data_json: str) -> str:
    # A chart takes matplotlib a few tenths of a second and a published version never changes: on a
    # public page each view would redraw two, so they are kept, keyed by the data they are drawn from.
    return chart_svg(name, json.loads(data_json))


@bp.app_template_global()
def published_version(event) -> dict | None:
    """In any template: the event's newest published version (number, date), or None."""
    versions = list_versions(get_db(), event)
    return versions[0] if versions else None


@bp.route("/digests")
@cached_public
def index():
    """Every published digest, newest first, and the latest version of each network digest."""
    from web.publish.network import list_published_networks

    networks: dict[str, dict] = {}
    for n in list_published_networks(get_db()):  # newest first: the first of each network is its latest
        networks.setdefault(n["network"], {**n, "data": json.loads(n["data"])})
    return render_template("digests/index.html", digests=list_published(get_db()),
                           networks=list(networks.values()))


@bp.route("/digests/<slug>")
@bp.route("/digests/<slug>/v<int:version>")
@cached_public
def show(slug: str, version: int | None = None):
    """A published digest: the latest version, or the one asked for."""
    from capture.series import event_series
    from web.publish.network import list_network_versions

    event, found = _version(slug, version)
    series = event_series(get_db(), event)
    # The network digest of the event's series, where one is published: where this event recurs.
    network = series if series and list_network_versions(get_db(), series.slug) else None
    versions = list_versions(get_db(), event)
    return render_template("digests/show.html", digest=found, data=found["data"], slug=slug,
                           html=Markup(markdown_to_html(found["markdown"])),  # sanitised by nh3
                           versions=versions, charts=CHARTS, newer=newer_version(versions, found),
                           network=network)


@bp.route("/digests/<slug>/<any('digest.md', 'digest.html', 'digest.json', 'themes.csv'):name>")
@bp.route("/digests/<slug>/v<int:version>/<any('digest.md', 'digest.html', 'digest.json', "
          "'themes.csv'):name>")
@cached_public
def download(slug: str, name: str, version: int | None = None):
    """A download of a published version: Markdown, standalone HTML, JSON or the theme CSV."""
    _event, found = _version(slug, version)
    fmt, content_type = DOWNLOADS[name]
    filename = f"{slug}-v{found['version']}-{name}"
    # Absolute links, as the feed has: a Markdown file pasted into a newsletter or a wiki keeps
    # its charts (the cache key holds the host, so one host's links never reach another).
    body = render_version(found, fmt, current_app.config.get("PUBLIC_URL") or request.url_root)
    return Response(body, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/digests/<slug>/charts/<any('theme-sizes', 'themes-by-table'):name>.svg")
@bp.route("/digests/<slug>/v<int:version>/charts/<any('theme-sizes', 'themes-by-table'):name>.svg")
def chart(slug: str, name: str, version: int | None = None):
    """A chart of a published version, as SVG drawn on the server."""
    _event, found = _version(slug, version)
    svg = _published_chart(name, json.dumps(found["data"], sort_keys=True))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=300"})


@bp.route("/digests.atom")
@cached_public
def feed():
    """The Atom feed of published digests."""
    from web.publish.network import list_published_networks

    base = current_app.config.get("PUBLIC_URL") or request.url_root
    # Event digests and network digests in one feed, newest first.
    networks = [{**n, "path": f"/series/{n['network']}/v{n['version']}",
                 "title": f"{n['title']}: network digest"} for n in list_published_networks(get_db())]
    entries = sorted(list_published(get_db(), limit=50) + networks, key=lambda v: v["published_at"],
                     reverse=True)[:50]
    return Response(atom_feed(entries, base), mimetype="application/atom+xml")
