"""Every organiser route needs a login; headers, cookies and templates keep pages safe."""

from __future__ import annotations

import re
from pathlib import Path

from capture.models import Note
from capture.store import add_notes, open_db
from tests.web_helpers import csrf, csrf_from, login, seed_event, text

# Routes anyone may use. Adding a public route means adding it here, on purpose.
PUBLIC = {
    "static", "index", "favicon", "auth.login", "auth.logout",
    "capture.form", "capture.thanks",
    # The published digests (issue 5): public by design.
    "digests.index", "digests.feed", "digests.show", "digests.download", "digests.chart",
    # Published network digests (issue 14): public like event digests.
    "series.show", "series.theme", "series.download", "series.chart",
}

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"


def _sample(converter, given=None):
    """A value the rule's converter accepts: `given` if it fits, else a harmless one."""
    kind = type(converter).__name__
    if kind == "AnyConverter":
        return sorted(converter.items)[0]
    if kind in ("IntegerConverter", "NumberConverter", "SQLiteIntConverter"):
        return given if isinstance(given, int) else 1
    return given if given is not None else "x"


def _url(rule, given: dict | None = None) -> str:
    given = given or {}
    values = {name: _sample(conv, given.get(name)) for name, conv in rule._converters.items()}
    return rule.build(values, append_unknown=False)[1]


def test_every_non_public_route_refuses_anonymous_requests(app, db_path):
    seed_event(db_path, "x")
    client = app.test_client()
    token = csrf(client, "/auth/login")  # so POSTs reach the login check, not the CSRF check
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token})
            if url.startswith("/api/"):
                assert response.status_code == 401, (rule.endpoint, method, response.status_code)
                assert "error" in response.get_json()
            else:
                assert response.status_code == 302, (rule.endpoint, method, response.status_code)
                assert response.location.startswith("/auth/login?next="), (rule.endpoint, response.location)
            checked += 1
    assert checked >= 20


def test_numbers_in_paths_past_sqlite_integers_are_404_not_500(app, db_path):
    seed_event(db_path, "x")
    client = app.test_client()
    login(client)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not any(type(c).__name__ == "SQLiteIntConverter"
                                                for c in rule._converters.values()):
            continue
        huge = {name: 10**25 for name, c in rule._converters.items()
                if type(c).__name__ == "SQLiteIntConverter"}
        url = _url(rule, {"slug": "x", **huge})
        assert client.get(url).status_code == 404, url
        checked += 1
    assert checked >= 3


def test_login_and_logout(app, client):
    assert client.get("/events/").status_code == 302
    token = csrf(client, "/auth/login")
    wrong = client.post("/auth/login", data={"csrf_token": token, "email": "organiser@example.org",
                                             "password": "wrong password"})
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.get_data(as_text=True)
    login(client)
    assert client.get("/events/").status_code == 200
    assert client.post("/auth/logout", data={"csrf_token": csrf(client, "/events/")}).status_code == 302
    assert client.get("/events/").status_code == 302


def test_login_next_is_followed_only_to_local_paths(app, client):
    token = csrf(client, "/auth/login")
    data = {"csrf_token": token, "email": "organiser@example.org", "password": "correct horse battery"}
    assert client.post("/auth/login?next=/events/new", data=data).location == "/events/new"
    other = app.test_client()
    data["csrf_token"] = csrf(other, "/auth/login")
    assert other.post("/auth/login?next=//evil.example/", data=data).location == "/events/"


def test_forms_without_csrf_token_are_refused(app, client, db_path):
    seed_event(db_path, "x")
    login(client)
    response = client.post("/events/new", data={"title": "No token", "status": "open"})
    assert response.status_code == 400
    assert "This form had expired, or was not sent from this site. Go back, reload the page" in text(response)
    assert "Log out" in text(response) and "Organiser login" not in text(response)
    assert open_db(db_path).execute("SELECT count(*) FROM event").fetchone()[0] == 1


def test_every_post_route_refuses_a_request_without_csrf_token(app, client, db_path):
    _, tables = seed_event(db_path, "x")
    login(client)
    db = open_db(db_path)
    tables_ = ("event", "event_table", "note", "synthesis_run", "digest")
    before = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables_}
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "auth.logout":  # logout only forgets the session
            continue
        url = _url(rule, {"slug": "x", "token": tables[0].token, "table_id": tables[0].id, "note_id": 1})
        response = client.post(url, data={"title": "Forged", "name": "Forged", "text": "Forged note",
                                          "action": "approve:all-pending", "value": "on"})
        assert response.status_code == 400, (rule.endpoint, response.status_code)
        checked += 1
    assert checked >= 8
    after = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables_}
    assert after == before
    assert db.execute("SELECT approve_by_default FROM event WHERE slug = 'x'").fetchone()[0] == 0


def test_session_cookie_is_httponly_and_samesite(app, client):
    login(client)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def _all_pages(app, db_path) -> dict[str, str]:
    """Every GET page of the app, rendered with data in it (hostile text included)."""
    event, tables = seed_event(db_path, "x", chatham_house=True)
    db = open_db(db_path)
    add_notes(db, event, [Note(text='<script>alert(1)</script> <a onclick="x()">y</a>', table=tables[0].name,
                               status="pending", author='"><img src=x onerror=alert(2)>')])
    organiser = app.test_client()
    login(organiser)
    anonymous = app.test_client()
    pages = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue
        url = _url(rule, {"slug": "x", "token": tables[0].token, "table_id": tables[0].id, "note_id": 1})
        client = anonymous if rule.endpoint in PUBLIC else organiser
        response = client.get(url)
        if response.mimetype == "text/html":
            assert response.status_code < 500, (url, response.status_code)
            pages[url] = response.get_data(as_text=True)
    pages["404"] = anonymous.get("/t/stale").get_data(as_text=True)
    return pages


def test_pages_have_no_inline_script_style_or_handlers_and_user_text_is_inert(app, db_path):
    pages = _all_pages(app, db_path)
    assert len(pages) >= 12
    for url, html in pages.items():
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, (url, tag)
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), url  # no code between the tags
        assert not re.search(r"\sstyle\s*=", html, flags=re.I), url
        assert not re.search(r"<style\b", html, flags=re.I), url
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, flags=re.I), url
        assert "<script>alert(1)" not in html and "<img src=x" not in html, url


def test_security_headers_on_every_response(app, client, db_path):
    seed_event(db_path, "x")
    for response in (client.get("/auth/login"), client.get("/t/stale"), client.get("/static/style.css"),
                     client.get("/api/events/x/notes")):
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in response.headers  # plain http: no HSTS
    secure = client.get("/auth/login", base_url="https://harvest.example.org")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_templates_never_mark_text_safe_nor_inline_scripts_or_styles():
    for path in TEMPLATES.rglob("*.html"):
        source = path.read_text()
        assert "|safe" not in source.replace(" ", ""), path
        assert "autoescape false" not in source, path
        assert not re.search(r"\sstyle\s*=", source), path
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", source), path


def test_proxy_fix_is_off_by_default_and_on_with_the_flag(app, db_path):  # app: makes the organiser
    from web import create_app

    plain = create_app({"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "k"})
    assert plain.wsgi_app.__class__.__name__ != "ProxyFix"
    proxied = create_app({"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "k", "PROXY_FIX": True})
    assert proxied.wsgi_app.__class__.__name__ == "ProxyFix"
    _, tables = seed_event(db_path, "x", tables=("T",))
    client = proxied.test_client()
    login_client = client
    token = csrf(login_client, "/auth/login")
    login_client.post("/auth/login", data={"csrf_token": token, "email": "organiser@example.org",
                                           "password": "correct horse battery"})
    page = client.get("/events/x", headers={"X-Forwarded-Proto": "https",
                                            "X-Forwarded-Host": "harvest.example.org"})
    assert f"https://harvest.example.org/t/{tables[0].token}" in page.get_data(as_text=True)


def test_front_page_sends_organisers_to_events_and_others_to_the_digests(app, client):
    assert client.get("/").location == "/digests"
    login(client)
    assert client.get("/").location == "/events/"


def test_login_next_refuses_backslash_and_control_character_tricks(app):
    # Browsers read "/\evil.example" as "//evil.example" and drop tabs and newlines in URLs.
    for target in ("/\\evil.example/", "/\\/evil.example/", "/\t/evil.example/", "/%0a", "https://evil.example/"):
        client = app.test_client()
        data = {"csrf_token": csrf(client, "/auth/login"), "email": "organiser@example.org",
                "password": "correct horse battery"}
        response = client.post("/auth/login", query_string={"next": target}, data=data)
        expected = "/%0a" if target == "/%0a" else "/events/"  # an encoded newline is a plain local path
        assert response.status_code == 302 and response.location == expected, (target, response.location)


def test_failed_logins_are_rate_limited_and_successful_ones_are_not(app, db_path):
    def attempt(password: str):
        client = app.test_client()  # a fresh browser each time; the limit is per address
        return client.post("/auth/login", data={"csrf_token": csrf(client, "/auth/login"),
                                                "email": "organiser@example.org", "password": password})

    for _ in range(12):  # successful logins do not count towards the limit
        assert attempt("correct horse battery").status_code == 302
    codes = [attempt("a wrong guess").status_code for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    refused = attempt("correct horse battery")  # the address waits, even with the right password
    assert refused.status_code == 429 and "Wait a minute" in text(refused)


def test_secret_key_is_random_made_once_and_kept_per_database(tmp_path, db_path):
    # Issue 15: the key was one file per installation, shared by every database; now each has its own.
    from web import create_app, database_key

    first = database_key(str(db_path))
    assert len(first) == 64 and first == database_key(str(db_path))  # kept, not remade
    other = tmp_path / "other.db"
    assert first != database_key(str(other))  # random per database
    app = create_app({"DATABASE": str(db_path)})  # no key given: the database's own
    assert app.config["SECRET_KEY"] == first and first not in ("dev", "test-only-key")
    assert create_app(database=str(other)).config["SECRET_KEY"] == database_key(str(other))


def test_session_cookie_is_secure_when_served_over_https(app, db_path):
    from web import create_app

    assert app.config["SESSION_COOKIE_SECURE"] is False  # plain http: the cookie must still work
    https = create_app({"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "k",
                        "PUBLIC_URL": "https://harvest.example.org"})
    client = https.test_client()
    page = client.get("/auth/login", base_url="https://harvest.example.org")
    # Over https Flask-WTF also checks the Referer is this site (browsers send it: same-origin policy).
    response = client.post("/auth/login", base_url="https://harvest.example.org",
                           headers={"Referer": "https://harvest.example.org/auth/login"},
                           data={"csrf_token": csrf_from(page), "email": "organiser@example.org",
                                 "password": "correct horse battery"})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_server_errors_show_no_traceback(db_path):
    from web import create_app

    app = create_app({"DATABASE": str(db_path), "SECRET_KEY": "k"})  # not TESTING: errors are handled

    def boom():
        raise RuntimeError("secret internals /etc/harvest")

    app.add_url_rule("/boom", view_func=boom)
    app.add_url_rule("/api/boom", endpoint="api_boom", view_func=boom)
    page = app.test_client().get("/boom")
    assert page.status_code == 500 and "Something went wrong" in text(page)
    assert "Traceback" not in text(page) and "secret internals" not in text(page)
    api = app.test_client().get("/api/boom")
    assert api.status_code == 500 and "secret internals" not in api.get_data(as_text=True)
    assert "Something went wrong" in api.get_json()["error"]
