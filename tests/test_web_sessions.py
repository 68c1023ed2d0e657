"""Logins are sessions kept in the database: a cookie from another database's server is refused,
logout and a password change end them, and failed logins are limited per account and address."""

from __future__ import annotations

from capture.store import open_db
from tests.web_helpers import ORGANISER, csrf, login, text


def _app(db_path, **config):
    from web import create_app

    return create_app({"TESTING": True, "DATABASE": str(db_path), **config})


def _attempt(app, password: str, address: str = "192.0.2.1", email: str = ORGANISER[0]):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client.post("/auth/login", data={"csrf_token": csrf(client), "email": email,
                                            "password": password})


def test_a_cookie_from_another_databases_server_does_not_log_in(app, tmp_path):
    from web.auth import add_user

    other_path = tmp_path / "other.db"
    other_db = open_db(other_path)
    add_user(other_db, ORGANISER[0], ORGANISER[1], admin=True)  # the same email, the same user id 1
    other_db.conn.close()
    ours, theirs = _app(app.config["DATABASE"]), _app(other_path)
    assert ours.config["SECRET_KEY"] != theirs.config["SECRET_KEY"]
    client = ours.test_client()
    login(client)
    assert client.get("/events/").status_code == 200
    cookie = client.get_cookie("session").value
    stranger = theirs.test_client()
    stranger.set_cookie("session", cookie)
    assert stranger.get("/events/").status_code == 302  # sent to the login page
    # Even two servers given the same SECRET_KEY in their configuration: the login is not in that database.
    shared_a, shared_b = _app(app.config["DATABASE"], SECRET_KEY="k"), _app(other_path, SECRET_KEY="k")
    a = shared_a.test_client()
    login(a)
    b = shared_b.test_client()
    b.set_cookie("session", a.get_cookie("session").value)
    assert a.get("/events/").status_code == 200 and b.get("/events/").status_code == 302


def test_logout_ends_the_session_even_for_a_copy_of_its_cookie(app, client, db_path):
    login(client)
    copied = client.get_cookie("session").value
    assert client.post("/auth/logout", data={"csrf_token": csrf(client, "/events/")}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/events/").status_code == 302
    assert open_db(db_path).execute("SELECT count(*) FROM login_session").fetchone()[0] == 0


def test_a_password_change_ends_every_session_of_the_account(app, runner, db_path):
    from web.cli import cli

    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)
    assert laptop.get("/events/").status_code == 200 and phone.get("/events/").status_code == 200
    result = runner.invoke(cli, ["--db", str(db_path), "user", "add", ORGANISER[0]],
                           input="a brand new password\n")
    assert result.exit_code == 0
    assert laptop.get("/events/").status_code == 302 and phone.get("/events/").status_code == 302
    assert _attempt(app, ORGANISER[1]).status_code == 401  # the old password is gone too
    assert _attempt(app, "a brand new password").status_code == 302


def test_logout_on_one_device_leaves_the_others_logged_in(app):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)
    phone.post("/auth/logout", data={"csrf_token": csrf(phone, "/events/")})
    assert phone.get("/events/").status_code == 302 and laptop.get("/events/").status_code == 200


def test_old_sessions_expire(app, client, db_path):
    login(client)
    db = open_db(db_path)
    db.execute("UPDATE login_session SET created_at = '2020-01-01T00:00:00Z'")
    db.conn.commit()
    assert client.get("/events/").status_code == 302


def test_guessing_from_one_address_does_not_lock_out_the_owner_elsewhere(app):
    codes = [_attempt(app, "a wrong guess", address="198.51.100.7").status_code for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    waits = _attempt(app, ORGANISER[1], address="198.51.100.7")  # that address waits
    assert waits.status_code == 429
    assert "Too many failed logins for this account. Wait a minute, then try again." in text(waits)
    assert 'name="password"' in text(waits)  # on the login page, to try again later
    assert _attempt(app, ORGANISER[1], address="203.0.113.9").status_code == 302  # the owner does not
    # Another account from the guessing address is not held up either.
    from web.auth import add_user

    db = open_db(app.config["DATABASE"])
    add_user(db, "colleague@example.org", "colleague password")
    db.conn.close()
    assert _attempt(app, "colleague password", address="198.51.100.7",
                    email="colleague@example.org").status_code == 302


def test_guessing_one_account_from_many_addresses_meets_the_softer_account_limit(db_path, app):
    limited = _app(db_path, SECRET_KEY="k", LOGIN_LIMIT_PER_ACCOUNT="5 per 10 minutes")
    codes = [_attempt(limited, "a wrong guess", address=f"198.51.100.{i}").status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    refused = _attempt(limited, ORGANISER[1], address="203.0.113.9")
    assert refused.status_code == 429 and "Wait a minute" in text(refused)
    # The same email typed in capitals is the same account.
    assert _attempt(limited, "x", address="203.0.113.10", email=ORGANISER[0].upper()).status_code == 429
