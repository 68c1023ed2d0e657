"""Drafts, publication and versions of an event's digest, and its outputs in every format.

The draft is the Markdown the organiser edits (a `digest` row with draft = 1, version 0).
Publishing stores a new version: the draft if there is one, else the template's Markdown, with
the redactions applied, plus the digest data (for the JSON, CSV and charts). Under the Chatham
House Rule publishing is refused while any suggested replacement is unconfirmed.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from datetime import UTC, datetime

from sqlite_utils import Database

from capture.errors import NotFound, ValidationError
from capture.models import Event
from capture.store import atomic, get_event, insert, save_event
from web.audit import log_action
from web.publish.digest import build_data, chart_base, markdown_from_data, next_version
from web.publish.drafts import (  # noqa: F401
    check_quotes,
    describe_kept_apart,
    discard_draft,
    draft_status,
    get_draft,
    save_draft,
    sources,
)
from web.publish.redact import confirm_all, redactor_for, unconfirmed
from web.publish.render import standalone_html

FORMATS = ("markdown", "html", "json", "csv")
CSV_FIELDS = ("label", "size", "tables", "summary", "quotes")


def draft_markdown(db: Database, event: Event, data: dict | None = None) -> str:
    """What would be published now: the edited draft, else the template's Markdown; redacted."""
    data = data if data is not None else build_data(db, event)
    markdown = get_draft(db, event) or markdown_from_data(data, next_version(db, event))
    return redactor_for(db, event)(markdown)


def publish(db: Database, event: Event, *, accept_redactions: bool = False, actor=None,
            keep_open: bool = False, reopen: bool = False) -> int:
    """Publish a new version of the digest; returns its number.

    `keep_open` leaves the attendee form as it is (an open event keeps taking notes); `reopen`
    opens it (an event closed or not open yet); otherwise the event becomes 'published', closed
    to attendees. Logged in the audit log.
    Raises ValidationError naming the unconfirmed redactions (under the Chatham House Rule) or
    when there are no themes to publish.
    """
    event = get_event(db, event.slug)
    data = build_data(db, event)
    if not data["themes"]:
        raise ValidationError(f"Event {event.slug!r} has no themes to publish: "
                              f"run `harvest synthesise {event.slug}` first.")
    if event.chatham_house:
        if accept_redactions:
            confirm_all(db, event)
        pending = unconfirmed(db, event)
        if pending:
            names = ", ".join(f"{r['original']!r} -> {r['replacement']!r}" for r in pending)
            raise ValidationError(
                f"Event {event.slug!r} is under the Chatham House Rule and {len(pending)} replacement(s) "
                f"are not confirmed: {names}. Confirm them on the review page, or run "
                f"`harvest publish {event.slug} --accept-redactions`.")
        data = build_data(db, event)
    status = draft_status(db, event, data)
    if status["stale"]:
        raise ValidationError(
            f"The edited draft of {event.slug!r} was made from an earlier synthesis or earlier edits "
            f"({'; '.join(status['changes'])}). Regenerate it on the Digest tab (your own text edits are "
            f"kept) or reset it to the template, then publish.")
    if status["kept_apart"]:
        # Text whose theme is gone sits after the last theme: published unread, it would read as
        # that theme's. The organiser moves or keeps it and saves the draft.
        raise ValidationError(describe_kept_apart(status["kept_apart"]))
    check_quotes(db, event, draft_markdown(db, event, data))
    made_from = sources(db, event, data)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The number is taken inside the write transaction: two publishers at once (a double click on
    # Publish) get versions N and N+1 instead of the second failing on UNIQUE(event_id, version).
    with atomic(db):
        version = next_version(db, event)
        markdown = draft_markdown(db, event, data)
        # The draft may have been written for an earlier version: point its charts at this one.
        markdown = re.sub(rf"/digests/{re.escape(event.slug)}/v\d+/charts",
                          chart_base(event.slug, version), markdown)
        insert(db, "digest", {"event_id": event.id, "version": version, "markdown": markdown,
                              "data": json.dumps(data), "draft": 0, "published_at": now,
                              "run_id": made_from["run_id"], "source_hash": made_from["source_hash"]})
        # An edited draft stays: the next version starts from the text just published (a new
        # synthesis makes it stale, and regenerating it keeps the organiser's paragraphs).
        if reopen:
            save_event(db, event.slug, status="open")
        elif not keep_open:
            save_event(db, event.slug, status="published")
        form = ("opened" if reopen and event.status != "open" else
                "kept open" if (keep_open or reopen) and event.status == "open" else
                "left not open yet" if keep_open and event.status == "draft" else "closed")
        log_action(db, event, "publish", actor=actor, detail=f"version {version}; attendee form {form}")
    return version


def withdraw(db: Database, event: Event, version: int, *, actor=None) -> dict:
    """Withdraw a published version: kept and marked, gone from the digest pages, index and feed.

    Returns the newest version still published, or {} when none is left (the event is then
    'closed' if it was 'published'). Raises NotFound for a version that is not published.
    """
    event = get_event(db, event.slug)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with atomic(db):
        done = db.conn.execute(
            "UPDATE digest SET withdrawn_at = ?, withdrawn_by = ? WHERE event_id = ? AND draft = 0 "
            "AND version = ? AND withdrawn_at IS NULL", [now, actor, event.id, version]).rowcount
        if not done:
            published = ", ".join(str(v["version"]) for v in list_versions(db, event)) or "none"
            raise NotFound(f"Event {event.slug!r} has no published version {version} to withdraw "
                           f"(published versions: {published}).")
        remaining = list_versions(db, event)
        if not remaining and event.status == "published":
            save_event(db, event.slug, status="closed")
        log_action(db, event, "withdraw", actor=actor, detail=f"version {version}")
    return remaining[0] if remaining else {}


def withdrawn_version(db: Database, event: Event, version: int) -> dict | None:
    """The withdrawn version `version` (number, when, by whom), or None if it is not withdrawn."""
    rows = list(db.query("SELECT version, withdrawn_at, withdrawn_by FROM digest WHERE event_id = ? "
                         "AND draft = 0 AND version = ? AND withdrawn_at IS NOT NULL", [event.id, version]))
    return rows[0] if rows else None


def get_version(db: Database, event: Event, version: int | None = None) -> dict:
    """A published version (the latest if none is given), with its data decoded; else NotFound."""
    sql = "SELECT * FROM digest WHERE event_id = ? AND draft = 0 AND withdrawn_at IS NULL"
    params: list = [event.id]
    if version is not None:
        sql += " AND version = ?"
        params.append(version)
    rows = list(db.query(sql + " ORDER BY version DESC LIMIT 1", params))
    if not rows:
        which = f"version {version}" if version is not None else "a published digest"
        raise NotFound(f"Event {event.slug!r} has no {which}.")
    return {**rows[0], "data": json.loads(rows[0]["data"])}


def list_versions(db: Database, event: Event) -> list[dict]:
    """The event's published versions (not withdrawn), newest first (without their data)."""
    return list(db.query("SELECT id, version, published_at FROM digest WHERE event_id = ? AND draft = 0 "
                         "AND withdrawn_at IS NULL ORDER BY version DESC", [event.id]))


def newer_version(versions: list[dict], shown: dict) -> dict | None:
    """The newest of `versions` (newest first) where it is newer than the one shown, else None:
    whether the version's page must say a newer one exists (its own address, /v2, may be the latest)."""
    return versions[0] if versions and versions[0]["version"] > shown["version"] else None


def list_published(db: Database, limit: int | None = None) -> list[dict]:
    """The latest version of every published digest, newest first, with its event and data."""
    sql = """SELECT digest.*, event.slug, event.title, event.date FROM digest
             JOIN event ON event.id = digest.event_id
             WHERE digest.draft = 0 AND digest.withdrawn_at IS NULL AND digest.version = (
                 SELECT max(d.version) FROM digest d WHERE d.event_id = digest.event_id AND d.draft = 0
                 AND d.withdrawn_at IS NULL)
             ORDER BY digest.published_at DESC, digest.id DESC"""
    rows = db.query(sql + (f" LIMIT {int(limit)}" if limit else ""))
    out = []
    for r in rows:
        data = json.loads(r["data"])
        # The title as published (redacted under the rule), not as it now stands in the event.
        out.append({**r, "data": data, "title": data["event"]["title"]})
    return out


def themes_csv(data: dict) -> str:
    """One row per theme: label, size, tables, summary, quotes (quotes separated by newlines)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for t in data.get("themes", []):
        quotes = "\n".join(q["text"] for q in t.get("quotes", []))
        writer.writerow([_csv_safe(t["label"]), t["size"], _csv_safe("; ".join(t.get("tables", []))),
                         _csv_safe(t.get("summary", "")), _csv_safe(quotes)])
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    """Text a spreadsheet will not run: a cell starting like a formula ('=HYPERLINK(...)', '+', '-',
    '@') gets a leading apostrophe, as OWASP advises for CSV files opened in Excel or LibreOffice."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def published_json(version: dict) -> str:
    """The JSON download: the published (and, under the rule, redacted) digest data.

    A theme's segments are listed by note and table without their text: the digest publishes
    its quotes and summaries, not every sentence of every note (a quote the organiser hid would
    still be there, and attendees are told that short passages may be quoted)."""
    data = version["data"]
    themes = [{**t, "segments": [{k: s.get(k) for k in ("note", "table")} for s in t.get("segments", [])]}
              for t in data.get("themes", [])]
    out = {"version": version["version"], "published_at": version["published_at"], **data, "themes": themes}
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def render_version(version: dict, fmt: str, base_url: str | None = None) -> str:
    """A published version in one format: markdown, html, json or csv.

    The HTML page carries its charts inside it (data: URIs), so it shows them saved and offline;
    the Markdown's site-relative links become absolute under `base_url` (PUBLIC_URL) when given."""
    if fmt == "markdown":
        if base_url:
            return re.sub(r"\]\((/digests/)", lambda m: "](" + base_url.rstrip("/") + m.group(1),
                          version["markdown"])
        return version["markdown"]
    if fmt == "html":
        return standalone_html(version["markdown"], version["data"]["event"]["title"],
                               images=_inline_charts(version))
    if fmt == "json":
        return published_json(version)
    if fmt == "csv":
        return themes_csv(version["data"])
    raise ValidationError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")


_CHART_SRC = re.compile(r"/digests/[^\s\"'()]+/charts/(?P<name>[a-z-]+)\.svg")


def _inline_charts(version: dict) -> dict[str, str]:
    """{chart link in the Markdown: data: URI of that chart drawn from the version's data}."""
    from web.publish.charts import CHARTS, chart_svg

    out = {}
    for m in _CHART_SRC.finditer(version["markdown"]):
        if m.group("name") in CHARTS and m.group(0) not in out:
            svg = chart_svg(m.group("name"), version["data"]).encode("utf-8")
            out[m.group(0)] = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return out


def digest_output(db: Database, event: Event, fmt: str = "markdown",
                  base_url: str | None = None) -> tuple[str, str]:
    """The digest in a format: the latest published version, else the current draft.

    Returns (text, which) where `which` is 'version N' or 'draft (not published)'. `base_url`
    (the public address) makes the Markdown's links absolute.
    """
    try:
        version = get_version(db, event)
        which = f"version {version['version']}"
    except NotFound:
        data = build_data(db, event)
        version = {"version": None, "published_at": None, "data": data,
                   "markdown": draft_markdown(db, event, data)}
        which = "draft (not published)"
    return render_version(version, fmt, base_url), which
