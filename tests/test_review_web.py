"""Review routes: login on every one, CSRF on every form, and nothing public before publishing."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from publishing_data import make_result, seed_event, store_result
from web_helpers import csrf, login

from web.publish.publishing import save_draft
from web.publish.redact import redaction_rows
from web.review import edited_result, segment_key

SLUG = "round-table"
PAGES = [f"/review/{SLUG}", f"/review/{SLUG}/digest", f"/review/{SLUG}/redactions",
         f"/review/{SLUG}/charts/theme-sizes.svg", f"/review/{SLUG}/charts/themes-by-table.svg"]
NAMED = [("n1", "Table 1", "Jane Okafor said contracts are getting bigger. Small charities cannot bid."),
         ("n2", "Table 2", "Commissioners skip co-design. Tender timelines are far too tight."),
         ("n3", "Table 3", "Big firms distrust small ones. We propose a standing partnership.")]


@pytest.fixture
def event(db):
    event = seed_event(db, slug=SLUG, notes=NAMED, chatham_house=True)
    store_result(db, event, make_result(db, event))
    assert redaction_rows(db, event)  # found without being stored
    assert list(db.query("SELECT * FROM redaction")) == []
    return event


def posts(db, event) -> dict[str, dict]:
    """One valid form for every POST route of the review (without its CSRF token)."""
    seg = segment_key(edited_result(db, event)["themes"][0]["segments"][0])
    rid = redaction_rows(db, event)[0]["key"]
    return {
        "rename": ("edit", {"op": "rename", "theme": "t0", "label": "Renamed"}),
        "summary": ("edit", {"op": "summary", "theme": "t0", "summary": "New summary"}),
        "merge": ("edit", {"op": "merge", "theme": "t0", "other": "t1"}),
        "split": ("edit", {"op": "split", "theme": "t0", "segments": [seg], "to": "", "label": "Split"}),
        "down": ("edit", {"op": "down", "theme": "t0"}),
        "drop": ("edit", {"op": "drop", "theme": "t0"}),
        "undo": ("undo", {}),
        "draft": ("digest", {"action": "save", "markdown": "# Changed by a stranger\n"}),
        "confirm": ("redactions", {"confirm": rid, f"replacement-{rid}": "a chief executive"}),
        "confirm-all": ("redactions", {"action": "confirm-all"}),
        "publish": ("publish", {}),
    }


def state(db) -> tuple:
    """Everything a review POST can change."""
    return (list(db.query("SELECT op, payload FROM theme_edit")),
            list(db.query("SELECT version, draft, markdown FROM digest")),
            list(db.query("SELECT replacement, confirmed FROM redaction")))


def test_every_review_route_needs_login(app, client, db, event):
    for path in PAGES:
        res = client.get(path)
        assert res.status_code == 302 and "/auth/login" in res.location, path
    token = csrf(client, "/auth/login")  # a valid token: only the missing login stops these
    before = state(db)
    for name, (route, form) in posts(db, event).items():
        res = client.post(f"/review/{SLUG}/{route}", data={**form, "csrf_token": token})
        assert res.status_code == 302 and "/auth/login" in res.location, name
    assert state(db) == before


def test_every_review_post_needs_its_csrf_token(app, client, db, event):
    login(client)
    before = state(db)
    for name, (route, form) in posts(db, event).items():
        for token in (None, "forged-token"):
            data = form if token is None else {**form, "csrf_token": token}
            res = client.post(f"/review/{SLUG}/{route}", data=data)
            assert res.status_code == 400, (name, token)
    assert state(db) == before
    # The same forms with the page's token do change things (so the refusals above were the token's).
    token = csrf(client, f"/review/{SLUG}")
    route, form = posts(db, event)["rename"]
    assert client.post(f"/review/{SLUG}/{route}", data={**form, "csrf_token": token}).status_code == 302
    assert state(db) != before


class Forms(HTMLParser):
    """Each POST form on a page, with the names of its inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(), "fields": set()})
        elif tag == "input" and self.forms:
            self.forms[-1]["fields"].add(attrs.get("name"))


def test_every_form_on_the_review_pages_carries_a_token(app, client, db, event):
    login(client)
    total = 0
    for path in PAGES[:3]:
        parser = Forms()
        parser.feed(client.get(path).get_data(as_text=True))
        post_forms = [f for f in parser.forms if f["method"] == "post"]
        total += len(post_forms)
        assert post_forms, path
        assert all("csrf_token" in f["fields"] for f in post_forms), path
    assert total >= 10  # rename, summary, split, merge, order... per theme, draft, publish, redactions


def test_nothing_public_before_publishing(app, client, db, event):
    save_draft(db, event, "# Partnership round table\n\nA draft with Jane Okafor in it.\n")
    public = ["/digests", "/digests.atom"]
    for path in public:
        text = client.get(path).get_data(as_text=True)
        assert "Partnership round table" not in text and "Okafor" not in text, path
    hidden = [f"/digests/{SLUG}", f"/digests/{SLUG}/v1", f"/digests/{SLUG}/v0"]
    downloads = ("digest.md", "digest.html", "digest.json", "themes.csv")
    hidden += [f"/digests/{SLUG}/{name}" for name in downloads]
    hidden += [f"/digests/{SLUG}/v0/{name}" for name in ("digest.md", "digest.json")]
    hidden += [f"/digests/{SLUG}/charts/{name}.svg" for name in ("theme-sizes", "themes-by-table")]
    hidden += [f"/digests/{SLUG}/v0/charts/theme-sizes.svg"]
    for path in hidden:
        assert client.get(path).status_code == 404, path
