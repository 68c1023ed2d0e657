"""The app factory: `create_app` builds the Flask app (organiser pages, attendee forms, public
digests and the JSON API)."""

from __future__ import annotations

import os

from flask import Flask, render_template
from werkzeug.routing import IntegerConverter

from capture.store import MAX_NOTE_CHARS, default_db_path

# Form posts carry at most one note plus a little; uploads get their own, larger limit.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_FORM_BYTES = 512 * 1024
# Endpoints that receive files; every other request body is held to MAX_FORM_BYTES.
UPLOAD_ENDPOINTS = {"upload.form"}
SQLITE_MAX_INT = 2**63 - 1


def database_key(path: str) -> str:
    """The session-signing key of the database at `path`: random, made when the database was first
    opened and kept in it, so a cookie signed for one database's server is refused by another's."""
    from capture.store import open_db

    db = open_db(path)
    try:
        return db.execute("SELECT value FROM web_secret WHERE name = 'session_key'").fetchone()[0]
    finally:
        db.conn.close()


class SQLiteIntConverter(IntegerConverter):
    """`<int:...>` in routes, bounded to what SQLite can store: a larger number is a 404, not a 500."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=SQLITE_MAX_INT, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(test_config: dict | None = None, database: str | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then test overrides; `database` (as
    `harvest serve --db` gives it) is the file to serve, whatever the configuration says."""
    # "web", the package, so the instance folder and templates are found as before this module moved.
    app = Flask("web", instance_relative_config=True)
    app.url_map.converters["int"] = SQLiteIntConverter
    app.config.from_mapping(
        DATABASE=os.path.abspath(default_db_path()),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES + 64 * 1024,
        MAX_FORM_BYTES=MAX_FORM_BYTES,
        MAX_UPLOAD_BYTES=MAX_UPLOAD_BYTES,
        MAX_NOTE_CHARS=MAX_NOTE_CHARS,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # None: secure (sent over https only) when PUBLIC_URL is an https address; see below.
        SESSION_COOKIE_SECURE=None,
        WTF_CSRF_TIME_LIMIT=None,
        # Attendee submissions: per browser session, with a generous per-address ceiling
        # because a whole room often shares the venue's one public address.
        SUBMIT_LIMIT_PER_SESSION="20 per minute",
        SUBMIT_LIMIT_PER_ADDRESS="1000 per minute",
        # Failed logins for one account from one address before a wait: slows password guessing
        # without locking out the owner, who logs in from elsewhere; and a softer limit for the
        # account from everywhere, against guessing from many addresses.
        LOGIN_LIMIT="10 per minute",
        LOGIN_LIMIT_PER_ACCOUNT="50 per 10 minutes",
        # e.g. https://harvest.example.org, for attendee links and the feed; `harvest tables`
        # reads the same $HARVEST_URL, so the printed links and the pages agree.
        PUBLIC_URL=os.environ.get("HARVEST_URL") or None,
        SYNTHESIS_IN_THREAD=True,
        # Pipeline components (`embedder`, `nlp`) to use instead of the real models; tests only.
        SYNTHESIS_COMPONENTS=None,
        # Behind nginx or another reverse proxy: believe one hop of X-Forwarded-For/-Proto/-Host/-Port,
        # and only from TRUSTED_PROXY (`harvest serve` tells waitress; see web/serving.py).
        PROXY_FIX=os.environ.get("HARVEST_BEHIND_PROXY", "") not in ("", "0", "false", "no"),
        TRUSTED_PROXY=os.environ.get("HARVEST_TRUSTED_PROXY") or "127.0.0.1",
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = (app.config["PUBLIC_URL"] or "").startswith("https://")
    if database is not None:
        app.config["DATABASE"] = database
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = database_key(app.config["DATABASE"])

    from web import db
    from web.extensions import csrf

    db.init_app(app)
    # Registered before CSRFProtect so the smaller limit applies before the form is parsed.
    app.before_request(_limit_form_body)
    from web import auth

    # Before CSRFProtect too, so a page refusing a form still knows who is logged in.
    app.register_blueprint(auth.bp)
    csrf.init_app(app)

    from web.views import api, capture, digests, events, moderation, review, series, synthesis, upload

    for module in (events, capture, moderation, synthesis, api, upload, review, digests, series):
        app.register_blueprint(module.bp)

    app.add_url_rule("/", endpoint="index", view_func=_index)
    # Browsers ask for /favicon.ico whatever the page says: answer it instead of logging a 404.
    app.add_url_rule("/favicon.ico", endpoint="favicon",
                     view_func=lambda: app.send_static_file("favicon.ico"))
    # Templates link to pages of other blueprints only once those pages exist.
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    from web.access import can

    app.jinja_env.globals["can"] = can  # what the organiser's role on the event allows
    app.jinja_env.filters["when"] = when
    _security_headers(app)
    _error_pages(app)
    from web.anonymous_pages import AnonymousPages

    # Inside ProxyFix (applied next), so it sees the scheme and host the client used.
    app.wsgi_app = AnonymousPages(app, app.wsgi_app)
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # No X-Forwarded-Prefix: waitress does not clear that one from clients that bypass the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)
    return app


def when(stamp: str | None) -> str:
    """A stored UTC timestamp ("2026-11-25T13:04:50.624Z") as people read it: "25 Nov 2026, 13:04 UTC"."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat((stamp or "").replace("Z", "+00:00"))
    except ValueError:
        return stamp or ""
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def _limit_form_body() -> None:
    """Hold every request body but an upload's to MAX_FORM_BYTES (413 beyond it)."""
    from flask import current_app, request

    if request.endpoint not in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["MAX_FORM_BYTES"]


def _index():
    from flask import current_app, g, redirect, url_for

    if g.get("user"):
        return redirect(url_for("events.index"))
    if "digests.index" in current_app.view_functions:
        return redirect(url_for("digests.index"))
    return redirect(url_for("auth.login"))


def _security_headers(app: Flask) -> None:
    from flask import request

    @app.after_request
    def add_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:  # over https (directly, or through ProxyFix): browsers stay on https
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def _error_pages(app: Flask) -> None:
    messages = {
        400: "The request could not be read. Go back and try again.",
        403: "Your role on this event does not allow this. Ask the event's owner.",
        404: "There is nothing here. Check the link, or ask the organiser for the current one.",
        405: "That action is not allowed here.",
        410: "This was withdrawn by its organiser.",
        413: "That is too large to send. Shorten the note or split the file.",
        429: "Too many submissions in a short time. Wait a minute, then send again.",
        500: "Something went wrong on our side. Try again; if it keeps happening, tell the organiser.",
    }

    def handler(error):
        code = getattr(error, "code", 500) or 500
        # A view's own reason (abort(404, description=...)) beats the generic text; a 429 keeps ours.
        text = getattr(error, "description", None)
        if code == 429 or text == getattr(type(error), "description", None):
            text = None
        message = text or messages.get(code, "Something went wrong.")
        from flask import request

        if request.path.startswith("/api/"):
            return {"error": message}, code
        return render_template("error.html", code=code, message=message), code

    for code in messages:
        app.register_error_handler(code, handler)

    from flask_wtf.csrf import CSRFError

    def csrf_failed(_error):
        # Flask-WTF's reasons ("The CSRF session token is missing.") mean nothing to organisers.
        message = ("This form had expired, or was not sent from this site. Go back, reload the page "
                   "and send it again.")
        return render_template("error.html", code=400, message=message), 400

    app.register_error_handler(CSRFError, csrf_failed)
