"""Markdown to HTML, sanitised with nh3: no script, no event handler, no javascript: or data: URL.

User text is escaped before it enters the Markdown (`escape_markdown`), so a note cannot make a
link or an image; the sanitiser is the second line of defence for anything an organiser types
into the draft.
"""

from __future__ import annotations

import re
from datetime import datetime

import markdown
import nh3

ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "p", "blockquote", "ul", "ol", "li", "em", "strong", "code",
                "pre", "a", "img", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "cite"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                      "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Characters XML 1.0 forbids (NUL, most C0 controls, U+FFFE/FFFF): one of them in a note would make
# the Atom feed fail for every digest and the SVG charts unreadable, so they go before rendering.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()!#|{}])")
_ENTITY = re.compile(r"&(#?\w+;)")
_LINE_START = re.compile(r"^(\s*)([-+>]|\d+[.)])", re.MULTILINE)


def xml_safe(text: str | None) -> str:
    """The text without the characters XML (and so Atom, SVG and HTML) cannot carry."""
    return _NOT_XML.sub("", str(text or ""))


def escape_markdown(text: str | None) -> str:
    """User text made literal in Markdown: one line, no link, image, HTML, emphasis or entity."""
    text = " ".join(str(text or "").split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub(r"&amp;\1", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def long_date(stamp: str | None) -> str:
    """'2026-11-25T12:42:35Z' or '2026-11-25' as '25 November 2026' (returned as given if not a date)."""
    try:
        when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return str(stamp or "")
    return f"{when.day} {when:%B %Y}"


def _on_site(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def _no_off_site_images(element: str, attribute: str, value: str) -> str | None:
    # An image from another site would be fetched by each reader's browser or feed reader, telling
    # that site who read the digest and when: only this site's own images (the charts) keep a src.
    if element == "img" and attribute == "src" and not _on_site(value):
        return None
    return value


def sanitise(html: str) -> str:
    """Keep only allowlisted tags, attributes and URL schemes, and images from this site only."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True,
                     attribute_filter=_no_off_site_images)


def markdown_to_html(text: str) -> str:
    """Render digest Markdown to a sanitised HTML fragment."""
    return sanitise(markdown.markdown(xml_safe(text), extensions=["tables", "sane_lists"],
                                      output_format="html"))


# The download is opened from disk, where the site's CSP header does not follow it: the page carries
# its own. Its charts are data: URIs and its style is inline; nothing else may load or run.
DOWNLOAD_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
                "form-action 'none'")
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>{title}</title>
<style>
body {{ font: 16px/1.5 Georgia, serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #111; }}
blockquote {{ border-left: 3px solid #888; margin: 1rem 0; padding: .2rem 1rem; color: #333; }}
img {{ max-width: 100%; height: auto; }}
@media print {{ @page {{ size: A4; margin: 18mm 16mm; }} body {{ font-size: 11pt; margin: 0; }}
  blockquote, img {{ break-inside: avoid; }} h1, h2, h3 {{ break-after: avoid; }}
  h3 + p, h3 + p + blockquote {{ break-before: avoid; }} h3 + p {{ break-inside: avoid; }} }}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def standalone_html(text: str, title: str, images: dict[str, str] | None = None) -> str:
    """A whole HTML page for the download: the sanitised digest with a small print-ready style.

    `images` maps an image's link to what the page carries instead (a data: URI of a chart):
    put in after sanitising, which allows no data: URL from the Markdown itself."""
    from markupsafe import escape

    body = markdown_to_html(text)
    for src, inline in (images or {}).items():
        body = body.replace(f'src="{escape(src)}"', f'src="{inline}"')
    return PAGE.format(title=escape(title), body=body, csp=DOWNLOAD_CSP)
