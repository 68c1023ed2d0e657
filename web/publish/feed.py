"""The Atom feed of published digests (feedgen): one entry per digest, its latest version, newest first."""

from __future__ import annotations

from datetime import datetime

from feedgen.feed import FeedGenerator

from web.publish.render import markdown_to_html, xml_safe

FEED_SIZE = 50


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def atom_feed(versions: list[dict], base_url: str, title: str = "Harvest digests") -> bytes:
    """Atom XML for published versions (dicts with slug, title, version, published_at, markdown)."""
    base = base_url.rstrip("/")
    fg = FeedGenerator()
    fg.id(f"{base}/digests")
    fg.title(xml_safe(title))
    fg.link(href=f"{base}/digests.atom", rel="self")
    fg.link(href=f"{base}/digests", rel="alternate")
    fg.language("en")
    fg.author({"name": title})  # Atom requires an author on the feed or on every entry
    fg.updated(_when(versions[0]["published_at"]) if versions else datetime.fromisoformat(
        "2000-01-01T00:00:00+00:00"))
    # feedgen puts the last added entry first: add oldest first so the newest leads.
    for v in reversed(versions[:FEED_SIZE]):
        # A network version carries its own path (/series/...); an event's is under /digests/.
        url = base + (v.get("path") or f"/digests/{v['slug']}/v{v['version']}")
        entry = fg.add_entry()
        entry.id(url)
        entry.title(xml_safe(f"{v['title']} (version {v['version']})"))
        entry.link(href=url, rel="alternate")
        entry.updated(_when(v["published_at"]))
        entry.published(_when(v["published_at"]))
        # Chart links in the Markdown are site-relative; a feed reader needs them absolute.
        html = markdown_to_html(v["markdown"]).replace('src="/digests/', f'src="{base}/digests/').replace(
            'src="/series/', f'src="{base}/series/')
        entry.content(html, type="html")
    return fg.atom_str(pretty=True)
