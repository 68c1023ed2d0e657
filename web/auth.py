"""Organiser accounts: hashed passwords, login sessions, login, logout, and the `login_required` guard.

A login is a row in `login_session` (only a hash of its token is stored; the token rides in the signed
session cookie): logout deletes it, a password change deletes all of the account's, and a cookie
from a server on another database names a session that database never had.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf import FlaskForm
from sqlite_utils import Database
from werkzeug.exceptions import TooManyRequests
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from capture.errors import ValidationError
from capture.store import atomic, insert
from web.db import get_db
from web.rate_limits import client_address, rate_limits

bp = Blueprint("auth", __name__, url_prefix="/auth")


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Session cookies marked Secure whenever the request came over https, directly or through the
    trusted proxy, not only when PUBLIC_URL says https: behind nginx the app itself speaks http."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def get_signing_serializer(self, app):
        """Flask's serializer for the app's keys, made once per set of keys instead of per request
        (making one costs more than a cached page's whole answer: itsdangerous serialises a test value)."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cache = app.extensions.setdefault("harvest_session_serializers", {})
        found = cache.get(keys)
        if found is None:
            found = cache[keys] = super().get_signing_serializer(app)
        return found


bp.record_once(lambda state: setattr(state.app, "session_interface", HttpsAwareSessionInterface()))

MIN_PASSWORD = 8
# A login lasts at most this long, then the organiser logs in again.
SESSION_DAYS = 30


def add_user(db: Database, email: str, password: str, admin: bool | None = None) -> int:
    """Create an organiser account (or reset its password); returns the user id.

    `admin` True makes it an admin (sees and may do everything), False an ordinary organiser;
    None leaves an existing account as it was (a new one is not an admin).
    """
    email = (email or "").strip()
    if "@" not in email:
        raise ValidationError(f"{email!r} is not an email address.")
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"The password must be at least {MIN_PASSWORD} characters.")
    hashed = generate_password_hash(password)
    with atomic(db):
        rows = list(db.query("SELECT id FROM user WHERE email = ?", [email]))
        if rows:
            user_id = rows[0]["id"]
            db.conn.execute("UPDATE user SET password_hash = ? WHERE id = ?", [hashed, user_id])
            end_all_sessions(db, user_id)  # a new password logs out everywhere the old one was used
        else:
            user_id = insert(db, "user", {"email": email, "password_hash": hashed})
        if admin is not None:
            db.conn.execute("UPDATE user SET is_admin = ? WHERE id = ?", [int(admin), user_id])
        return user_id


def check_login(db: Database, email: str, password: str) -> dict | None:
    """The user row if the email and password match, else None."""
    rows = list(db.query("SELECT * FROM user WHERE email = ?", [(email or "").strip()]))
    # Hash even for an unknown email, so the answer's timing does not tell which emails exist.
    stored = rows[0]["password_hash"] if rows else _dummy_hash()
    if check_password_hash(stored, password or "") and rows:
        return rows[0]
    return None


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


class LoginForm(FlaskForm):
    """Email and password of an organiser."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _oldest_live() -> str:
    # As the table's default writes created_at, so the two compare as text.
    return (datetime.now(UTC) - timedelta(days=SESSION_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")


def start_session(db: Database, user_id: int) -> str:
    """Record a new login of the user; returns its token (for the session cookie)."""
    token = secrets.token_urlsafe(32)
    with atomic(db):
        db.conn.execute("DELETE FROM login_session WHERE created_at < ?", [_oldest_live()])
        db.conn.execute("INSERT INTO login_session (token_hash, user_id) VALUES (?, ?)",
                        [_token_hash(token), user_id])
    return token


def session_user(db: Database, token: str) -> dict | None:
    """The account logged in with this token (id, email, is_admin), or None if it ended or expired."""
    rows = list(db.query(
        """SELECT u.id, u.email, u.is_admin FROM login_session s JOIN user u ON u.id = s.user_id
           WHERE s.token_hash = ? AND s.created_at >= ?""", [_token_hash(token), _oldest_live()]))
    return rows[0] if rows else None


def end_session(db: Database, token: str) -> None:
    """Forget one login (logout)."""
    with atomic(db):
        db.conn.execute("DELETE FROM login_session WHERE token_hash = ?", [_token_hash(token)])


def end_all_sessions(db: Database, user_id: int) -> int:
    """Forget every login of the user (their password changed); returns how many there were."""
    with atomic(db):
        return db.conn.execute("DELETE FROM login_session WHERE user_id = ?", [user_id]).rowcount


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the logged-in organiser (or None) on `g.user` for every request: the session's login
    must still be in this database (not logged out, no password change since, not expired)."""
    token = session.get("login")
    g.user = session_user(get_db(), token) if isinstance(token, str) else None


def login_required(view):
    """Send anonymous visitors to the login page (401 JSON for the API)."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            if request.path.startswith("/api/"):
                return {"error": "Log in as an organiser to use the API."}, 401
            return redirect(url_for("auth.login", next=request.full_path))
        return view(**kwargs)

    wrapped.login_required = True
    return wrapped


def _safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the events page (never another site)."""
    # Browsers read "/\evil.example" as "//evil.example", and strip tabs and newlines
    # before parsing, so a backslash or any control character disqualifies the target.
    if (target and target.startswith("/") and not target.startswith("//")
            and not any(c == "\\" or ord(c) < 32 or ord(c) == 127 for c in target)):
        return target
    return url_for("events.index")


def _account_key() -> str:
    """Rate-limit key of a login attempt: the account tried (as typed, case-folded)."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _account_address_key() -> str:
    """Rate-limit key of a login attempt: the account tried, from this client address."""
    return _account_key() + "|address:" + client_address()


def _login_limits() -> list[tuple[str, str, str]]:
    """(limit, scope, key) of the limits on failed logins. Per account and address: guessing from one
    place soon waits, while the owner logging in from elsewhere does not. Per account, a softer
    limit: guessing from many addresses."""
    config = current_app.config
    return [(config["LOGIN_LIMIT"], "login-account-address", _account_address_key()),
            (config["LOGIN_LIMIT_PER_ACCOUNT"], "login-account", _account_key())]


@bp.route("/login", methods=("GET", "POST"))
def login():
    """The login form; a wrong email or password is refused with 401, and failed tries are rate-limited."""
    limits = rate_limits(current_app)
    # Only failed tries count: a refused one is checked here and counted below.
    if request.method == "POST" and not all(limits.test(*limit) for limit in _login_limits()):
        raise TooManyRequests()
    form = LoginForm()
    if form.validate_on_submit():
        db = get_db()
        user = check_login(db, form.email.data, form.password.data)
        if user is None:
            for limit in _login_limits():
                limits.hit(*limit)
            flash("Wrong email or password.", "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()
        session["login"] = start_session(db, user["id"])
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), (400 if request.method == "POST" else 200)


@bp.errorhandler(429)
def too_many_failed_logins(_error):
    """The login page again, saying why it waits (the limiter's own text is not for people)."""
    flash("Too many failed logins for this account. Wait a minute, then try again.", "error")
    return render_template("auth/login.html", form=LoginForm()), 429


@bp.route("/logout", methods=("POST",))
def logout():
    """End the login (its cookie no longer works, even if copied) and go back to the login page."""
    token = session.get("login")
    if isinstance(token, str):
        end_session(get_db(), token)
    session.clear()
    return redirect(url_for("auth.login"))
