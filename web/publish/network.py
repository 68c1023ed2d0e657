"""Network digests: the themes of a series of events (or of every published event), built from
what each event published, edited by a network editor, published in versions like event digests.

The web app owns the `network_edit` and `network_version` tables. A network is named by its
series slug, or `all`. Nothing here reads a raw synthesis run: each event contributes its latest
published (not withdrawn) version, so hidden quotes, renames and Chatham House redactions hold.

Usage::

    data, unkept = network_data(db, "north-east")
    version = publish_network(db, "north-east", actor="ed@example.org")
    text = render_network(get_network_version(db, "north-east"), "markdown")
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlite_utils import Database

from capture.errors import NotFound, ValidationError
from capture.series import ALL, get_series, series_events
from capture.store import atomic, insert
from web.publish.render import escape_markdown, long_date, standalone_html

OPS = ("rename", "merge", "split")
MAX_LABEL = 200
FORMATS = ("markdown", "html", "json", "csv")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "series"


def network_title(db: Database, network: str) -> str:
    """The series' title, or 'All published events'."""
    return "All published events" if network == ALL else get_series(db, network).title


def published_events(db: Database, network: str, since: str | None = None,
                     until: str | None = None) -> list[dict]:
    """Each event of the network (dated within since..until, inclusive, when given) that has a
    published version: its slug, title and date as published, its published themes and its
    number of segments."""
    from web.publish.publishing import get_version

    out = []
    for event in series_events(db, network):
        if (since and (event.date or "") < since) or (until and (event.date or "9999") > until):
            continue
        try:
            version = get_version(db, event)
        except NotFound:
            continue
        data = version["data"]
        themes = data.get("themes", [])
        total = sum(int(t.get("size") or len(t.get("segments", []))) for t in themes)
        unassigned = data.get("unassigned", 0)
        total += unassigned if isinstance(unassigned, int) else len(unassigned)
        out.append({"slug": event.slug, "title": data["event"]["title"],
                    "date": data["event"].get("date") or event.date, "version": version["version"],
                    "themes": themes, "segments": total})
    return out


def _vectors(db: Database, embedder=None):
    """Sentence vectors from the embedding cache (the real model unless one is given)."""
    from synthesis.embed import default_embedder, embed_cached

    embedder = embedder or default_embedder()
    return lambda texts: embed_cached(db, embedder, texts)


def network_data(db: Database, network: str, vectors=None, since: str | None = None,
                 until: str | None = None, embedder=None) -> tuple[dict, list[str]]:
    """The network digest as plain data (edits applied), and the edits that could not be kept.
    `vectors` (texts -> unit vectors) or `embedder` replace the real model (tests)."""
    from synthesis.network import network_themes

    events = published_events(db, network, since, until)
    result = {"events": [], "themes": []}
    if events:
        result = network_themes(events, vectors or _vectors(db, embedder))
    result, unkept = apply_network_edits(result, list_network_edits(db, network))
    result["network"] = {"slug": network, "title": network_title(db, network)}
    return result, unkept


# --- edits ------------------------------------------------------------------------------------

def list_network_edits(db: Database, network: str) -> list[dict]:
    """The network's stored edits, oldest first, with their payload decoded."""
    rows = db.query("SELECT * FROM network_edit WHERE network = ? ORDER BY id", [network])
    return [{**r, "payload": json.loads(r["payload"])} for r in rows]


def _keys(theme: dict) -> list[str]:
    return [m["key"] for m in theme["members"]]


def _theme_by_id(result: dict, theme_id: str) -> dict:
    for theme in result["themes"]:
        if theme["id"] == theme_id:
            return theme
    raise NotFound(f"No network theme {theme_id!r}. Reload the page: the network may have changed.")


def record_network_edit(db: Database, network: str, op: str, *, theme: str, actor: str | None = None,
                        label: str | None = None, other: str | None = None,
                        members: list[str] | None = None, embedder=None) -> int:
    """Store one edit of a network theme (given by its current id), anchored on its event themes."""
    if op not in OPS:
        raise ValidationError(f"Unknown edit {op!r}: use one of {', '.join(OPS)}.")
    result, _ = network_data(db, network, embedder=embedder)
    target = _theme_by_id(result, theme)
    payload: dict = {"theme": _keys(target), "theme_label": target["label"],
                     "prints": {m["key"]: m.get("prints", []) for m in target["members"]}}
    label = " ".join((label or "").split())
    if op in ("rename", "split") and len(label) > MAX_LABEL:
        raise ValidationError(f"A theme label has at most {MAX_LABEL} characters.")
    if op == "rename":
        if not label:
            raise ValidationError("Type the new name of the theme.")
        payload["label"] = label
    elif op == "merge":
        if not other:
            raise ValidationError("Choose the theme to fold into this one.")
        merged = _theme_by_id(result, other)
        if merged is target:
            raise ValidationError("Choose a different theme to merge into this one.")
        payload.update(other=_keys(merged), other_label=merged["label"])
        payload["prints"].update({m["key"]: m.get("prints", []) for m in merged["members"]})
    else:
        moving = set(members or [])
        if not moving or not moving < set(_keys(target)):
            raise ValidationError("Tick some, but not all, of the theme's events to move into a new theme.")
        payload.update(members=sorted(moving), label=label or None)
    with atomic(db):
        return insert(db, "network_edit", {"network": network, "op": op, "payload": json.dumps(payload),
                                           "actor": actor})


def undo_network_edit(db: Database, network: str) -> bool:
    """Remove the latest edit of the network; False when there is none."""
    edits = list_network_edits(db, network)
    if not edits:
        return False
    with atomic(db):
        db.conn.execute("DELETE FROM network_edit WHERE id = ?", [edits[-1]["id"]])
    return True


def _holder(result: dict, keys: list[str]) -> dict | None:
    """The theme holding most of these event themes now (none: they are all gone)."""
    wanted, best, best_n = set(keys), None, 0
    for theme in result["themes"]:
        n = len(wanted & set(_keys(theme)))
        if n > best_n:
            best, best_n = theme, n
    return best


def _follow(result: dict, keys: list[str], prints: dict[str, list[str]]) -> list[str]:
    """Each anchor as the event theme that now holds it: the same key, else the theme of the same
    event that is mostly the anchor's: more than half of the anchor's segments, making up more than
    half of its own (an editor moved a passage in or out of it on the event's Themes tab and
    published again; third walk-through W8: the merges on both themes were dropped). A theme that
    took in a minority of the anchor's passages is not it, so a rename never lands on it."""
    members = [m for theme in result["themes"] for m in theme["members"]]
    present = {m["key"] for m in members}
    out = []
    for key in keys:
        old = set(prints.get(key) or [])
        if key in present or not old:
            out.append(key)
            continue
        slug = key.split("#", 1)[0]
        best = max((m for m in members if m["slug"] == slug),
                   key=lambda m: len(old & set(m.get("prints", []))), default=None)
        new = set(best.get("prints", [])) if best is not None else set()
        if best is not None and 2 * len(old & new) > max(len(old), len(new)):
            out.append(best["key"])
        else:
            out.append(key)
    return out


def apply_network_edits(result: dict, edits: list[dict]) -> tuple[dict, list[str]]:
    """The edits applied in order to the synthesised network; returns (result, what was not kept).

    An edit follows its event themes to the network theme that holds most of them now, so a new
    event joining the network (which never regroups earlier events) leaves it in place."""
    from synthesis.network import sort_themes, theme_from_members

    events = result["events"]
    labels: dict[str, str] = {}  # theme id -> organiser's label
    unkept = []
    for edit in edits:
        p = dict(edit["payload"])
        for field in ("theme", "other", "members"):
            if field in p:
                p[field] = _follow(result, p[field], p.get("prints") or {})
        theme = _holder(result, p["theme"])
        if theme is None:
            still = {e["slug"] for e in events} & {key.split("#", 1)[0] for key in p["theme"]}
            why = ("its events' themes were changed on their Themes tabs: make it again on the theme "
                   "you mean" if still else "its events left the network")
            unkept.append(f"Not kept: {edit['op']} of {p['theme_label']!r} ({why}).")
            continue
        if edit["op"] == "rename":
            labels[theme["id"]] = p["label"]
        elif edit["op"] == "merge":
            other = _holder(result, p["other"])
            if other is theme:
                continue  # both are in one theme already (the network grouped them so itself)
            if other is None:
                # Named by the heading the page shows once every edit is applied (a rename made
                # after the merge included): the label at the time may be on no theme now.
                unkept.append((theme["id"], p["other_label"], p["theme_label"]))
                continue
            merged = theme_from_members(theme["members"] + other["members"], events,
                                        label=labels.get(theme["id"]) or theme["label"])
            merged["id"] = theme["id"]
            result["themes"] = [merged if t is theme else t for t in result["themes"] if t is not other]
            if theme["id"] in labels:
                labels[theme["id"]] = merged["label"]
        else:
            moving = [m for m in theme["members"] if m["key"] in set(p["members"])]
            staying = [m for m in theme["members"] if m["key"] not in set(p["members"])]
            if not moving or not staying:
                unkept.append(f"Not kept: split of {p['theme_label']!r} (its events changed).")
                continue
            kept = theme_from_members(staying, events, label=labels.get(theme["id"]))
            kept["id"] = theme["id"]
            split = theme_from_members(moving, events, label=p.get("label"))
            split["id"] = f"{theme['id']}-s{edit['id']}"
            if p.get("label"):
                labels[split["id"]] = p["label"]
            result["themes"] = [t for t in result["themes"] if t is not theme] + [kept, split]
    for theme in result["themes"]:
        if theme["id"] in labels:
            theme["label"] = labels[theme["id"]]
            theme["edited"] = True
    headings = {t["id"]: t["label"] for t in result["themes"]}
    unkept = [item if isinstance(item, str) else
              f"Not kept: merge of {item[1]!r} into {headings.get(item[0], item[2])!r}: the theme merged "
              "in is no longer found; merge it again if it is still there." for item in unkept]
    result["themes"] = sort_themes(result["themes"])
    return result, unkept


# --- versions ---------------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def publish_network(db: Database, network: str, *, actor: str | None = None, embedder=None) -> int:
    """Publish a new version of the network digest; returns its number."""
    data, _ = network_data(db, network, embedder=embedder)
    if not data["themes"]:
        raise ValidationError(f"The network {network!r} has no published event digests to build on: "
                              "publish the events' digests first.")
    with atomic(db):
        row = db.execute("SELECT max(version) FROM network_version WHERE network = ?", [network]).fetchone()
        version = (row[0] or 0) + 1
        markdown = network_markdown(data, version)
        insert(db, "network_version", {"network": network, "version": version, "markdown": markdown,
                                       "data": json.dumps(data, ensure_ascii=False),
                                       "published_at": _now(), "actor": actor})
    return version


def get_network_version(db: Database, network: str, version: int | None = None) -> dict:
    """A published network version (the latest if none is given), its data decoded; else NotFound."""
    sql = "SELECT * FROM network_version WHERE network = ? AND withdrawn_at IS NULL"
    params: list = [network]
    if version is not None:
        sql += " AND version = ?"
        params.append(version)
    rows = list(db.query(sql + " ORDER BY version DESC LIMIT 1", params))
    if not rows:
        which = f"version {version}" if version is not None else "digest"
        raise NotFound(f"The network {network!r} has no published {which}.")
    return {**rows[0], "data": json.loads(rows[0]["data"])}


def list_network_versions(db: Database, network: str) -> list[dict]:
    """The network's published versions (not withdrawn), newest first, without their data."""
    return list(db.query("SELECT version, published_at, actor FROM network_version WHERE network = ? "
                         "AND withdrawn_at IS NULL ORDER BY version DESC", [network]))


def withdraw_network_version(db: Database, network: str, version: int) -> None:
    """Withdraw a published network version: gone from its pages and the feed."""
    with atomic(db):
        done = db.conn.execute(
            "UPDATE network_version SET withdrawn_at = ? WHERE network = ? AND version = ? "
            "AND withdrawn_at IS NULL", [_now(), network, version]).rowcount
    if not done:
        raise NotFound(f"The network {network!r} has no published version {version}.")


def list_published_networks(db: Database, limit: int = 50) -> list[dict]:
    """Every published network version (not withdrawn), newest first: for the feed and the index."""
    rows = db.query("SELECT network, version, markdown, data, published_at FROM network_version "
                    "WHERE withdrawn_at IS NULL ORDER BY published_at DESC, id DESC LIMIT ?", [limit])
    return [{**r, "title": json.loads(r["data"])["network"]["title"]} for r in rows]


# --- outputs ----------------------------------------------------------------------------------

def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=False,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["md"] = escape_markdown  # Markdown output: user text is escaped, not autoescaped
    env.filters["day"] = long_date
    return env


def chart_base(network: str, version: int) -> str:
    """Where a version's charts are served (site-relative, as the Markdown links them)."""
    return f"/series/{network}/v{version}/charts"


def network_markdown(data: dict, version: int) -> str:
    """The network digest as Markdown (the template network.md.j2)."""
    md = _env().get_template("network.md.j2").render(
        **data, version=version, chart_base=chart_base(data["network"]["slug"], version))
    return re.sub(r"\n{3,}", "\n\n", md).strip() + "\n"


CSV_FIELDS = ("label", "status", "events", "dates", "shares", "quotes")


def network_csv(data: dict) -> str:
    """One row per network theme: label, status, the events and dates, shares, quotes."""
    from web.publish.publishing import _csv_safe

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for t in data["themes"]:
        writer.writerow([_csv_safe(t["label"]), t["status"],
                         _csv_safe("; ".join(e["title"] for e in t["events"])),
                         "; ".join(e["date"] or "" for e in t["events"]),
                         "; ".join(f"{e['share']:.1%}" for e in t["events"]),
                         _csv_safe("\n".join(f"{q['text']} ({q['cite']})" for q in t["quotes"]))])
    return buf.getvalue()


def public_data(data: dict) -> dict:
    """What the JSON download carries: the themes without the editor's anchors."""
    return {**data, "themes": [{k: v for k, v in t.items() if k != "members"} for t in data["themes"]]}


def render_network(version: dict, fmt: str, base_url: str | None = None) -> str:
    """A published network version in one format: markdown, html (charts inlined), json or csv.
    The Markdown's site-relative chart links become absolute under `base_url` when given, as an
    event digest's do: a downloaded network.md pasted into a newsletter keeps its charts."""
    if fmt == "markdown":
        if base_url:
            return re.sub(r"\]\((/series/)", lambda m: "](" + base_url.rstrip("/") + m.group(1),
                          version["markdown"])
        return version["markdown"]
    if fmt == "html":
        from web.publish.network_charts import inline_charts

        return standalone_html(version["markdown"], version["data"]["network"]["title"],
                               images=inline_charts(version))
    if fmt == "json":
        out = {"version": version["version"], "published_at": version["published_at"],
               **public_data(version["data"])}
        return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return network_csv(version["data"])
    raise ValidationError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")


def network_output(db: Database, network: str, fmt: str = "markdown") -> tuple[str, str]:
    """The network digest in a format: the latest published version, else a preview of it now."""
    try:
        version = get_network_version(db, network)
        return render_network(version, fmt), f"version {version['version']}"
    except NotFound:
        data, _ = network_data(db, network)
        preview = {"version": None, "published_at": None, "data": data, "markdown": network_markdown(data, 0)}
        return render_network(preview, fmt), "preview (not published)"
