"""Organiser accounts: hashed passwords, login, logout, and the `login_required` guard."""

from __future__ import annotations

import functools
import secrets

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from capture.errors import ValidationError
from capture.store import atomic, insert
from web.db import get_db
from web.extensions import limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")

MIN_PASSWORD = 8


def add_user(db: Database, email: str, password: str) -> int:
    """Create an organiser account (or reset its password); returns the user id."""
    email = (email or "").strip()
    if "@" not in email:
        raise ValidationError(f"{email!r} is not an email address.")
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"The password must be at least {MIN_PASSWORD} characters.")
    hashed = generate_password_hash(password)
    with atomic(db):
        rows = list(db.query("SELECT id FROM user WHERE email = ?", [email]))
        if rows:
            db.conn.execute("UPDATE user SET password_hash = ? WHERE id = ?", [hashed, rows[0]["id"]])
            return rows[0]["id"]
        return insert(db, "user", {"email": email, "password_hash": hashed})


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


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the logged-in organiser (or None) on `g.user` for every request."""
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None:
        rows = list(get_db().query("SELECT id, email FROM user WHERE id = ?", [user_id]))
        g.user = rows[0] if rows else None


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


@bp.route("/login", methods=("GET", "POST"))
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], scope="login",
               deduct_when=lambda response: response.status_code == 401)
def login():
    """The login form; a wrong email or password is refused with 401, and failed tries are rate-limited."""
    form = LoginForm()
    if form.validate_on_submit():
        user = check_login(get_db(), form.email.data, form.password.data)
        if user is None:
            flash("Wrong email or password.", "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()
        session["user_id"] = user["id"]
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), (400 if request.method == "POST" else 200)


@bp.route("/logout", methods=("POST",))
def logout():
    """Forget the session and go back to the login page."""
    session.clear()
    return redirect(url_for("auth.login"))
