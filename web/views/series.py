"""Network digests on the web: public pages of published versions (`/series/...`, no login) and the
network editor's page (`/network/...`): preview, rename, merge, split, publish, withdraw.

A network is a series (by its slug) or `all`, every published event. Who may edit one: an admin,
or an organiser who is an editor (or owner) of every event in the series -- the network digest
quotes all of them, so only someone trusted with all of them publishes it. `all` is for admins.
"""

from __future__ import annotations

import functools
import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from capture.errors import HarvestError, NotFound
from capture.series import ALL, find_series
from web.access import may_edit_network
from web.db import get_db
from web.page_cache import cached_public
from web.publish.network import (
    get_network_version,
    list_network_edits,
    list_network_versions,
    network_data,
    network_title,
    publish_network,
    record_network_edit,
    render_network,
    undo_network_edit,
    withdraw_network_version,
)
from web.publish.network_charts import theme_chart
from web.publish.publishing import newer_version
from web.publish.render import markdown_to_html

bp = Blueprint("series", __name__)

DOWNLOADS = {"network.md": ("markdown", "text/markdown; charset=utf-8"),
             "network.html": ("html", "text/html; charset=utf-8"),
             "network.json": ("json", "application/json"),
             "themes.csv": ("csv", "text/csv; charset=utf-8")}
DOWNLOAD_NAMES = "any('network.md', 'network.html', 'network.json', 'themes.csv')"


def _exists(network: str) -> bool:
    return network == ALL or find_series(get_db(), network) is not None


def _published(network: str, version: int | None = None) -> dict:
    if not _exists(network):
        abort(404)
    try:
        return get_network_version(get_db(), network, version)
    except NotFound:
        abort(404)


# --- public pages -----------------------------------------------------------------------------

@bp.route("/series/<network>")
@bp.route("/series/<network>/v<int:version>")
@cached_public
def show(network: str, version: int | None = None):
    """A published network digest: the latest version, or the one asked for."""
    found = _published(network, version)
    versions = list_network_versions(get_db(), network)
    return render_template("series/show.html", found=found, data=found["data"], network=network,
                           html=Markup(markdown_to_html(found["markdown"])),  # sanitised by nh3
                           versions=versions, newer=newer_version(versions, found))


@bp.route("/series/<network>/themes/<theme_id>")
@bp.route("/series/<network>/v<int:version>/themes/<theme_id>")
@cached_public
def theme(network: str, theme_id: str, version: int | None = None):
    """One network theme of a published version: every event that raised it, with its quotes."""
    found = _published(network, version)
    match = [t for t in found["data"]["themes"] if t["id"] == theme_id]
    if not match:
        abort(404)
    return render_template("series/theme.html", found=found, data=found["data"], theme=match[0],
                           network=network)


@bp.route(f"/series/<network>/<{DOWNLOAD_NAMES}:name>")
@bp.route(f"/series/<network>/v<int:version>/<{DOWNLOAD_NAMES}:name>")
@cached_public
def download(network: str, name: str, version: int | None = None):
    """A download of a published network version: Markdown, self-contained HTML, JSON or CSV."""
    found = _published(network, version)
    fmt, content_type = DOWNLOADS[name]
    filename = f"{network}-network-v{found['version']}-{name}"
    # Absolute chart links, as an event digest's download has (the cache key holds the host).
    body = render_network(found, fmt, current_app.config.get("PUBLIC_URL") or request.url_root)
    return Response(body, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@functools.lru_cache(maxsize=128)
def _chart(data_json: str, theme_id: str) -> str | None:
    # A published version never changes: each chart is drawn once, keyed by the data it shows.
    return theme_chart(json.loads(data_json), theme_id)


@bp.route("/series/<network>/v<int:version>/charts/<theme_id>.svg")
def chart(network: str, version: int, theme_id: str):
    """A theme's share of each event's notes over time, as SVG drawn on the server."""
    found = _published(network, version)
    svg = _chart(json.dumps(found["data"], sort_keys=True), theme_id)
    if svg is None:
        abort(404)
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=300"})


# --- the network editor's page ----------------------------------------------------------------

def _embedder():
    """The app's test embedder if it has one (SYNTHESIS_COMPONENTS), else None: the real model."""
    return (current_app.config.get("SYNTHESIS_COMPONENTS") or {}).get("embedder")


def _editor_page(network: str, status: int = 200, **extra):
    data, unkept = network_data(get_db(), network, embedder=_embedder())
    return render_template("series/edit.html", network=network, data=data, unkept=unkept,
                           title=network_title(get_db(), network),
                           edits=list_network_edits(get_db(), network),
                           versions=list_network_versions(get_db(), network), **extra), status


def network_editor(view):
    """Log in first; then 404 for a network that does not exist or that this organiser may not edit
    (the same answer, so a series' name tells nothing)."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path))
        network = kwargs["network"]
        if not _exists(network) or not may_edit_network(get_db(), g.user, network):
            abort(404, description=f"There is no network {network!r} you can edit.")
        return view(**kwargs)

    wrapped.login_required = True
    return wrapped


@bp.route("/network/<network>")
@network_editor
def edit(network: str):
    """Preview the network digest as it would be published now, with the editor's controls."""
    return _editor_page(network)


@bp.route("/network/<network>/edit", methods=("POST",))
@network_editor
def edit_post(network: str):
    """Store one edit: rename a network theme, merge another into it, or split events out of it."""
    form = request.form
    try:
        record_network_edit(get_db(), network, form.get("op", ""), theme=form.get("theme", ""),
                            label=form.get("label"), other=form.get("other"),
                            members=form.getlist("members"), actor=g.user["email"], embedder=_embedder())
    except HarvestError as exc:
        # The same page, the reason beside the form it came from, the typed label kept.
        return _editor_page(network, 400, error=str(exc), failed={
            "op": form.get("op"), "theme": form.get("theme"), "label": form.get("label", "")})
    flash("Edit saved. It stays with its events when another event joins the network.", "status")
    return redirect(url_for("series.edit", network=network))


@bp.route("/network/<network>/undo", methods=("POST",))
@network_editor
def undo(network: str):
    """Take back the latest edit."""
    flash("Took back the last edit." if undo_network_edit(get_db(), network) else "There is no edit to undo.",
          "status")
    return redirect(url_for("series.edit", network=network))


@bp.route("/network/<network>/publish", methods=("POST",))
@network_editor
def publish(network: str):
    """Publish a new version of the network digest."""
    try:
        version = publish_network(get_db(), network, actor=g.user["email"], embedder=_embedder())
    except HarvestError as exc:
        flash(str(exc), "error")
        return redirect(url_for("series.edit", network=network))
    flash(f"Published version {version}.", "status")
    return redirect(url_for("series.show", network=network))


@bp.route("/network/<network>/withdraw", methods=("POST",))
@network_editor
def withdraw(network: str):
    """Withdraw a published version: gone from its pages and the feed."""
    try:
        version = int(request.form.get("version", ""))
        withdraw_network_version(get_db(), network, version)
    except (ValueError, HarvestError):
        flash("That version is not published: reload the page.", "error")
        return redirect(url_for("series.edit", network=network))
    flash(f"Withdrew version {version}.", "status")
    return redirect(url_for("series.edit", network=network))
