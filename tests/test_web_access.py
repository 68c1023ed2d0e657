"""Events belong to organisers: roles (owner, editor, moderator), sharing, admins, and the guard on
every organiser route, checked by walking the app's url_map so that a new route cannot be forgotten."""

from __future__ import annotations

import re

import pytest

from capture.models import Note
from capture.store import add_notes, add_table, open_db, save_event
from tests.publishing_data import make_result, store_result
from tests.web_helpers import csrf, csrf_from, text

PASSWORD = "a long enough password"
ANN, BOB, EDDIE, MO = "ann@example.org", "bob@example.org", "eddie@example.org", "mo@example.org"
ADMIN = ("organiser@example.org", "correct horse battery")  # the `app` fixture's admin
SLUG = "ann-event"

# The least role each organiser route of an event needs. The test below fails for a route missing
# here: adding one means deciding, on purpose, who may use it.
EXPECTED = {
    "events.show": "moderator", "events.qr": "moderator", "events.cards": "moderator",
    "moderation.live": "moderator", "moderation.notes_json": "moderator", "moderation.queue": "moderator",
    "moderation.edit": "moderator", "moderation.approve_by_default": "moderator",
    "moderation.log": "moderator",
    "api.notes": "moderator",
    "events.edit": "editor", "events.add_table_view": "editor", "events.table_action": "editor",
    "upload.form": "editor", "upload.upload_columns": "editor",
    "synthesis.page": "editor", "synthesis.start": "editor", "synthesis.cancel": "editor",
    "api.synthesis": "editor",
    "review.themes": "editor", "review.edit": "editor", "review.undo": "editor", "review.digest": "editor",
    "review.save_digest": "editor", "review.chart": "editor", "review.redactions": "editor",
    "review.confirm_redactions": "editor", "review.publish_view": "editor", "review.withdraw_view": "editor",
    "events.share_view": "owner", "events.unshare_view": "owner", "events.delete": "owner",
}
RANK = {"moderator": 1, "editor": 2, "owner": 3}
# Form fields that would make each POST do its work if the guard let it through (a missing guard
# then changes the database, which the test sees); for the roles allowed, they are harmless.
FORGED = {"title": "Taken over", "name": "Forged table", "text": "Forged text", "email": BOB,
          "role": "owner", "confirm": SLUG, "action": "approve:all-pending", "value": "on",
          "op": "rename", "theme": "t0", "label": "Forged", "markdown": "# Forged", "id": "1"}
HARMLESS = {"title": "", "name": "", "text": "", "email": "", "confirm": "", "action": "", "op": "",
            "id": "0"}


def _fast_components() -> dict:
    import spacy

    from synthesis.embed import FakeEmbedder

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return {"embedder": FakeEmbedder(), "nlp": nlp}


@pytest.fixture
def seeded(app, db_path):
    """Ann's event (Eddie editor, Mo moderator) with notes and a synthesis result; Bob has his own."""
    from web.access import share
    from web.auth import add_user

    app.config["SYNTHESIS_COMPONENTS"] = _fast_components()
    db = open_db(db_path)
    for email in (ANN, BOB, EDDIE, MO):
        add_user(db, email, PASSWORD)
    event = save_event(db, SLUG, title="Ann's round table")
    table = add_table(db, event, "Table 1")
    add_notes(db, event, [Note(text="Contracts are too big for small charities. They cannot bid alone.",
                               table="Table 1", status="approved"),
                          Note(text="Tender timelines are far too tight.", table="Table 1",
                               status="pending")])
    store_result(db, event, make_result(db, event))
    share(db, event, ANN, "owner")
    share(db, event, EDDIE, "editor")
    share(db, event, MO, "moderator")
    bobs = save_event(db, "bob-event", title="Bob's event")
    share(db, bobs, BOB, "owner")
    note_id = db.execute("SELECT min(id) FROM note WHERE event_id = ?", [event.id]).fetchone()[0]
    db.conn.close()
    return {"table_id": table.id, "note_id": note_id}


def _login(app, email: str, password: str = PASSWORD):
    client = app.test_client()
    response = client.post("/auth/login", data={"csrf_token": csrf(client), "email": email,
                                                "password": password})
    assert response.status_code == 302, (email, response.status_code)
    return client


def _event_rules(app):
    """(rule, endpoint) of every route under an event slug that is not public."""
    from tests.test_web_security import PUBLIC

    return [r for r in app.url_map.iter_rules() if "slug" in r.arguments and r.endpoint not in PUBLIC]


def _url(rule, ids: dict) -> str:
    values = {}
    for name, conv in rule._converters.items():
        if type(conv).__name__ == "AnyConverter":
            values[name] = sorted(conv.items)[0]
        else:
            values[name] = {"slug": SLUG, "table_id": ids["table_id"], "note_id": ids["note_id"]}[name]
    return rule.build(values, append_unknown=False)[1]


def _snapshot(db_path) -> list[str]:
    """Everything the database holds but the login sessions (logging in writes those)."""
    conn = open_db(db_path).conn
    try:
        return [line for line in conn.iterdump() if "login_session" not in line]
    finally:
        conn.close()


def test_every_organiser_route_of_an_event_is_guarded_by_a_declared_role(app):
    rules = _event_rules(app)
    assert len(rules) >= 25
    for rule in rules:
        assert rule.endpoint in EXPECTED, f"{rule.endpoint} ({rule.rule}): add it to EXPECTED with its role"
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "event_role", None) == EXPECTED[rule.endpoint], rule.endpoint


# Organiser routes that are about no one event: any organiser may list their events and make one.
LOGIN_ONLY = {"events.index", "events.new"}


def test_every_organiser_route_is_guarded_by_an_event_role_or_the_network_guard_or_is_login_only(app):
    from tests.test_web_security import PUBLIC

    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "login_required", False), rule.endpoint
        if "slug" in rule.arguments:
            assert getattr(view, "event_role", None), rule.endpoint
        elif "network" in rule.arguments:
            assert rule.rule.startswith("/network/"), rule.endpoint  # checked by the test below
        else:
            assert rule.endpoint in LOGIN_ONLY, f"{rule.endpoint} ({rule.rule}): guard it, or list it"


def test_network_routes_answer_404_to_organisers_who_may_not_edit_every_event(app, db_path, seeded):
    from capture.series import save_series, set_event_series
    from capture.store import get_event

    db = open_db(db_path)
    series = save_series(db, "ann-series", "Ann's series")
    set_event_series(db, get_event(db, SLUG), series)
    db.conn.close()
    rules = [r for r in app.url_map.iter_rules()
             if "network" in r.arguments and r.rule.startswith("/network/")]
    assert len(rules) >= 5
    for email, may in ((BOB, False), (MO, False), (EDDIE, True), (ANN, True)):
        client = _login(app, email)
        token = csrf(client, "/events/")
        before = _snapshot(db_path)
        for rule in rules:
            for network in ("ann-series", "all"):
                url = rule.build({"network": network}, append_unknown=False)[1]
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    if may and network == "ann-series":
                        if method == "GET":
                            assert client.get(url).status_code == 200, (email, url)
                        continue
                    response = client.open(url, method=method, data={**FORGED, "csrf_token": token})
                    assert response.status_code == 404, (email, rule.endpoint, network, method)
        assert _snapshot(db_path) == before, email


def test_another_organiser_gets_404_on_every_route_of_the_event_and_changes_nothing(app, db_path, seeded):
    bob = _login(app, BOB)
    token = csrf(bob, "/events/")
    before = _snapshot(db_path)
    checked = set()
    for rule in _event_rules(app):
        url = _url(rule, seeded)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = bob.open(url, method=method, data={**FORGED, "csrf_token": token})
            assert response.status_code == 404, (rule.endpoint, method, response.status_code)
            if url.startswith("/api/"):
                assert response.get_json() == {"error": f"No event {SLUG!r}."}
            else:
                assert f"There is no event '{SLUG}'." in text(response)  # as for one that does not exist
            checked.add((rule.endpoint, method))
    assert len(checked) >= 32
    assert _snapshot(db_path) == before
    assert SLUG not in bob.get("/events/").get_data(as_text=True)


@pytest.mark.parametrize("email,role", [(MO, "moderator"), (EDDIE, "editor"), (ANN, "owner")])
def test_each_role_may_use_exactly_the_routes_it_should(app, db_path, seeded, email, role):
    client = _login(app, email)
    token = csrf(client, f"/events/{SLUG}")
    for rule in _event_rules(app):
        url = _url(rule, seeded)
        allowed = RANK[role] >= RANK[EXPECTED[rule.endpoint]]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url)
                assert response.status_code == (200 if allowed else 403), (role, rule.endpoint, method)
                continue
            if allowed:
                response = client.post(url, data={**HARMLESS, "csrf_token": token})
                assert response.status_code in (200, 302, 400, 409), (role, rule.endpoint,
                                                                     response.status_code)
            else:
                before = _snapshot(db_path)
                response = client.post(url, data={**FORGED, "csrf_token": token})
                assert response.status_code == 403, (role, rule.endpoint, response.status_code)
                assert "Ask the event's owner." in text(response)
                assert _snapshot(db_path) == before, (role, rule.endpoint)


def test_an_admin_may_open_every_route_of_any_event(app, seeded):
    admin = _login(app, *ADMIN)
    for rule in _event_rules(app):
        if "GET" in rule.methods:
            assert admin.get(_url(rule, seeded)).status_code == 200, rule.endpoint
    listed = admin.get("/events/").get_data(as_text=True)
    assert "Ann&#39;s round table" in listed and "Bob&#39;s event" in listed


def test_a_moderator_moderates_but_cannot_publish_or_share(app, db_path, seeded):
    mo = _login(app, MO)
    page = mo.get(f"/events/{SLUG}/moderate")
    shown = re.findall(r'name="shown" value="(\d+)"', page.get_data(as_text=True))
    response = mo.post(f"/events/{SLUG}/moderate", data={"csrf_token": csrf_from(page),
                                                         "action": "approve:all-pending", "shown": shown})
    assert response.status_code == 302
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM note WHERE status = 'pending'").fetchone()[0] == 0
    token = csrf_from(page)
    assert mo.post(f"/review/{SLUG}/publish", data={"csrf_token": token}).status_code == 403
    assert mo.post(f"/events/{SLUG}/share", data={"csrf_token": token, "email": MO,
                                                  "role": "owner"}).status_code == 403
    assert db.execute("SELECT count(*) FROM digest").fetchone()[0] == 0
    assert db.execute("SELECT role FROM event_member m JOIN user u ON u.id = m.user_id WHERE email = ?",
                      [MO]).fetchone()[0] == "moderator"
    shown = mo.get(f"/events/{SLUG}").get_data(as_text=True)
    assert "Moderate" in shown and "Review and publish" not in shown and "Add a table" not in shown


def test_an_editor_publishes_but_cannot_share_or_delete(app, db_path, seeded):
    eddie = _login(app, EDDIE)
    token = csrf(eddie, f"/review/{SLUG}/digest")
    response = eddie.post(f"/review/{SLUG}/publish", data={"csrf_token": token})
    assert response.status_code == 302 and response.location == f"/digests/{SLUG}/v1"
    deleting = eddie.post(f"/events/{SLUG}/delete", data={"csrf_token": token, "confirm": SLUG})
    assert deleting.status_code == 403
    assert eddie.post(f"/events/{SLUG}/share", data={"csrf_token": token, "email": BOB,
                                                     "role": "editor"}).status_code == 403
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM digest WHERE draft = 0").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM event WHERE slug = ?", [SLUG]).fetchone()[0] == 1
    assert "Sharing" not in eddie.get(f"/events/{SLUG}").get_data(as_text=True)


def test_an_owner_shares_by_email_and_role_then_takes_it_back(app, db_path, seeded):
    ann = _login(app, ANN)
    page = ann.get(f"/events/{SLUG}")
    assert "Sharing" in text(page) and EDDIE in text(page)
    token = csrf_from(page)
    response = ann.post(f"/events/{SLUG}/share", data={"csrf_token": token, "email": BOB,
                                                       "role": "moderator"})
    assert response.status_code == 302
    bob = _login(app, BOB)
    assert bob.get(f"/events/{SLUG}/moderate").status_code == 200
    assert bob.get(f"/review/{SLUG}").status_code == 403  # a moderator, not an editor
    assert "Ann&#39;s round table" in bob.get("/events/").get_data(as_text=True)
    assert ann.post(f"/events/{SLUG}/unshare", data={"csrf_token": token, "email": BOB}).status_code == 302
    assert bob.get(f"/events/{SLUG}/moderate").status_code == 404


def test_sharing_mistakes_are_shown_where_they_happened(app, db_path, seeded):
    ann = _login(app, ANN)
    token = csrf(ann, f"/events/{SLUG}")
    unknown = ann.post(f"/events/{SLUG}/share", data={"csrf_token": token, "email": "nobody@example.org",
                                                      "role": "editor"})
    assert unknown.status_code == 400
    assert ("No organiser account 'nobody@example.org': create it first with "
            "`harvest user add nobody@example.org`.") in text(unknown)
    bad_role = ann.post(f"/events/{SLUG}/share", data={"csrf_token": token, "email": BOB, "role": "god"})
    assert bad_role.status_code == 400
    last = ann.post(f"/events/{SLUG}/share", data={"csrf_token": token, "email": ANN, "role": "editor"})
    assert last.status_code == 400 and "only owner: make another organiser owner first" in text(last)
    wrong = ann.post(f"/events/{SLUG}/delete", data={"csrf_token": token, "confirm": "ann"})
    assert wrong.status_code == 400 and f"Type the event's short name, {SLUG}, to confirm" in text(wrong)
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM event_member m JOIN event e ON e.id = m.event_id "
                      "WHERE e.slug = ?", [SLUG]).fetchone()[0] == 3


def test_an_owner_deletes_the_event_with_everything_in_it(app, db_path, seeded):
    ann = _login(app, ANN)
    token = csrf(ann, f"/events/{SLUG}")
    response = ann.post(f"/events/{SLUG}/delete", data={"csrf_token": token, "confirm": SLUG})
    assert response.status_code == 302 and response.location == "/events/"
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM event WHERE slug = ?", [SLUG]).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM note").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM event").fetchone()[0] == 1  # Bob's is untouched


def test_an_event_made_on_the_web_belongs_to_whoever_made_it(app, db_path, seeded):
    bob = _login(app, BOB)
    page = bob.get("/events/new")
    response = bob.post("/events/new", data={"csrf_token": csrf_from(page), "title": "Bob's second",
                                             "slug": "bob-2", "status": "open"})
    assert response.status_code == 302
    assert bob.get("/events/bob-2").status_code == 200
    assert _login(app, ANN).get("/events/bob-2").status_code == 404
    assert _login(app, *ADMIN).get("/events/bob-2").status_code == 200


def test_cli_event_without_owner_belongs_to_the_admins_and_owner_sets_one(app, runner, db_path):
    from web.auth import add_user
    from web.cli import cli

    db = open_db(db_path)
    add_user(db, ANN, PASSWORD)
    db.conn.close()
    made = runner.invoke(cli, ["--db", str(db_path), "event", "cli-made"])
    assert made.exit_code == 0 and "No owner: only admins can open it on the web" in made.output
    assert _login(app, ANN).get("/events/cli-made").status_code == 404
    assert _login(app, *ADMIN).get("/events/cli-made").status_code == 200
    owned = runner.invoke(cli, ["--db", str(db_path), "event", "cli-made", "--owner", ANN])
    assert owned.exit_code == 0 and f"Shared with: {ANN} (owner)" in owned.output
    assert _login(app, ANN).get("/events/cli-made").status_code == 200
    shared = runner.invoke(cli, ["--db", str(db_path), "event", "cli-made", "--share",
                                 "organiser@example.org", "--role", "moderator"])
    assert shared.exit_code == 0 and "organiser@example.org (moderator)" in shared.output


def test_cli_refuses_an_unknown_owner_and_makes_no_event(runner, db_path):
    from web.cli import cli

    result = runner.invoke(cli, ["--db", str(db_path), "event", "orphan", "--owner", "who@example.org"])
    assert result.exit_code == 1
    assert "No organiser account 'who@example.org'" in result.output
    assert open_db(db_path).execute("SELECT count(*) FROM event").fetchone()[0] == 0


def test_cli_user_add_admin_and_list(runner, db_path):
    from web.cli import cli

    made = runner.invoke(cli, ["--db", str(db_path), "user", "add", "boss@example.org", "--admin"],
                         input=PASSWORD + "\n")
    assert made.exit_code == 0 and "Admin boss@example.org can now log in." in made.output
    plain = runner.invoke(cli, ["--db", str(db_path), "user", "add", "pat@example.org"],
                          input=PASSWORD + "\n")
    assert plain.exit_code == 0 and "Organiser pat@example.org can now log in." in plain.output
    reset = runner.invoke(cli, ["--db", str(db_path), "user", "add", "boss@example.org"],
                          input=PASSWORD + "\n")
    assert "Admin boss@example.org" in reset.output  # a password reset keeps the admin flag
    listed = runner.invoke(cli, ["--db", str(db_path), "user", "list"]).output
    assert "boss@example.org" in listed and "admin" in listed.splitlines()[0]
    assert "organiser" in [line for line in listed.splitlines() if "pat@" in line][0]


def test_accounts_made_before_roles_become_admins(tmp_path):
    """An install upgraded from before roles: its accounts could open every event, and still can."""
    import sqlite3

    from capture.migrations import migrations

    path = tmp_path / "old.db"
    db = open_db(path)
    db.execute("INSERT INTO user (email, password_hash) VALUES ('old@example.org', 'x')")
    db.conn.commit()
    db.conn.close()
    conn = sqlite3.connect(path)  # undo the new migration, as an old install's database would be
    conn.executescript("UPDATE user SET is_admin = 0; DROP TABLE event_member; DROP TABLE login_session;"
                       "DROP TABLE web_secret; ALTER TABLE user DROP COLUMN is_admin;"
                       "DELETE FROM _sqlite_migrations WHERE name = 'm008_web_accounts_roles_sessions';")
    conn.close()
    assert any(m.name == "m008_web_accounts_roles_sessions" for m in migrations._migrations)
    reopened = open_db(path)
    assert reopened.execute("SELECT is_admin FROM user").fetchone()[0] == 1
