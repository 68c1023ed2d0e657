"""The real password hashing, end to end: the `app` fixture's organiser has a one-round PBKDF2 hash
(for speed; see tests/conftest.py), so this test makes an account the way `harvest user` and the
app do, with scrypt, and logs in with it."""

from __future__ import annotations

from capture.store import open_db
from tests.web_helpers import csrf


def test_accounts_are_hashed_with_scrypt_and_log_in(db_path):
    from web import create_app
    from web.auth import add_user, check_login

    db = open_db(db_path)
    add_user(db, "chair@example.org", "a long chair password")
    stored = db.execute("SELECT password_hash FROM user WHERE email = 'chair@example.org'").fetchone()[0]
    assert stored.startswith("scrypt:")
    assert check_login(db, "chair@example.org", "a long chair password") is not None
    assert check_login(db, "chair@example.org", "a long chair passwore") is None
    db.conn.close()

    app = create_app({"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "test-only-key"})
    client = app.test_client()
    response = client.post("/auth/login", data={"csrf_token": csrf(client), "email": "chair@example.org",
                                                "password": "a long chair password"})
    assert response.status_code == 302
    assert client.get("/events/").status_code == 200
