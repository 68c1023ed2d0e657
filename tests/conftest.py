"""Shared fixtures: a real SQLite database in a temp file, the app, its client and the CLI runner.

Keep area-specific fixtures in the test modules that use them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2 import BytecodeCache

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
TRANSCRIPTS = REPO / "transcripts"
SEEE = TRANSCRIPTS / "seee-partnership-structures.txt"
FILES = Path(__file__).resolve().parent / "files"
ORGANISER_EMAIL, ORGANISER_PASSWORD = "organiser@example.org", "correct horse battery"


def pytest_collection_modifyitems(config, items) -> None:
    """Tests marked `eval` read ../shared/eval, which is not in the repository: on a clone without
    it they are skipped with the loader's message (where it looked, how to point at it)."""
    needing = [item for item in items if item.get_closest_marker("eval")]
    if not needing:
        return
    import sys

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from benchmarks.eval_data import EvalDataMissing, eval_dir

    try:
        eval_dir()
    except EvalDataMissing as exc:
        if os.environ.get("CI") == "true":
            # CI has the shared folder beside the clone: there a missing folder is a broken set-up,
            # not a reason to pass with these tests unrun.
            raise pytest.UsageError(f"CI=true but {exc}") from None
        for item in needing:
            item.add_marker(pytest.mark.skip(reason=str(exc)))


@pytest.fixture(scope="session")
def migrated_db_path(tmp_path_factory) -> Path:
    """A database with every migration applied, made once per session and copied for each test
    (applying the 16 migrations to each test's file cost 0.05-0.1 s a test)."""
    from capture.store import open_db

    path = tmp_path_factory.mktemp("migrated") / "harvest.db"
    open_db(path).conn.close()
    return path


@pytest.fixture
def db_path(tmp_path, migrated_db_path) -> Path:
    """Path of a fresh database file (created with the schema): a copy of the migrated one."""
    path = tmp_path / "harvest.db"
    _copy_database(migrated_db_path, path)
    return path


@pytest.fixture
def db(db_path):
    """An open, migrated, real SQLite database in a temp file."""
    from capture.store import open_db

    database = open_db(db_path)
    yield database
    database.conn.close()


@pytest.fixture(scope="session")
def seeded_db_path(tmp_path_factory) -> Path:
    """A migrated database holding the organiser account, made once per session and copied for each
    app. The password hash is PBKDF2 with one round, set with werkzeug: scrypt (what add_user
    stores) costs about 0.3 s to make and again to check at each login, and tests log in hundreds
    of times. tests/test_auth_hash.py keeps the real scrypt path under test."""
    from werkzeug.security import generate_password_hash

    from capture.store import open_db
    from web.auth import add_user

    path = tmp_path_factory.mktemp("seeded") / "harvest.db"
    database = open_db(path)
    user_id = add_user(database, ORGANISER_EMAIL, ORGANISER_PASSWORD, admin=True)
    fast = generate_password_hash(ORGANISER_PASSWORD, method="pbkdf2:sha256:1")
    database.conn.execute("UPDATE user SET password_hash = ? WHERE id = ?", [fast, user_id])
    database.conn.commit()
    database.conn.close()
    return path


@pytest.fixture(autouse=True)
def fast_password_hashes(request, monkeypatch):
    """Accounts made in tests (add_user, `harvest user add`, a password change) get a one-round
    PBKDF2 hash, as the seeded organiser has: scrypt costs about 0.3 s to make and again at each
    login, and the access tests make and log in dozens of accounts. Logins check whatever hash
    is stored, as they do in production. tests/test_auth_hash.py keeps scrypt itself under test."""
    if request.module.__name__.endswith("test_auth_hash"):
        return
    from werkzeug.security import generate_password_hash

    def fast(password: str, method: str = "pbkdf2:sha256:1", salt_length: int = 16) -> str:
        return generate_password_hash(password, method="pbkdf2:sha256:1", salt_length=salt_length)

    monkeypatch.setattr("web.auth.generate_password_hash", fast)


def _copy_database(source: Path, target: Path) -> None:
    """Replace the database at `target` with a copy of `source` (SQLite's backup API: WAL-safe)."""
    import sqlite3

    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


class _SharedTemplateCode(BytecodeCache):
    """Jinja's compiled templates kept for the whole session, in memory: each test's app has its
    own Jinja environment, which compiled every template it rendered again (about 0.04 s a
    template). Jinja keys them by the template's name and a checksum of its source."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self.code.clear()


_TEMPLATE_CODE = _SharedTemplateCode()


@pytest.fixture(scope="session", autouse=True)
def _url_builders_compiled_once():
    """werkzeug compiles each route's URL builder into Python code when an app registers it (183
    routes: 0.1-0.4 s of every test's create_app, most of it in ast and compile). The code is a
    function of the rule's text, parts and defaults only (the rule itself is its first argument),
    so the tests' apps share it: memoised on those, for the session. Production makes one app."""
    from werkzeug.routing.rules import Rule

    original = Rule._compile_builder
    built: dict = {}

    def compile_builder(self, append_unknown: bool = True):
        try:
            key = (self.rule, self.subdomain, self.host, bool(self.map and self.map.host_matching),
                   tuple(self._trace), tuple(sorted((self.defaults or {}).items())), append_unknown)
            hash(key)
        except TypeError:  # a default that cannot be a key: compile it, as werkzeug does
            return original(self, append_unknown)
        if key not in built:
            built[key] = original(self, append_unknown)
        return built[key]

    Rule._compile_builder = compile_builder
    yield
    Rule._compile_builder = original


@pytest.fixture
def app(db_path, seeded_db_path):
    """The Flask app on the temp database, with an organiser account.

    The organiser is an admin, as the one account of an install is: the events tests seed straight
    into the database have no owner, so they belong to the admins (tests/test_web_access.py checks
    what ordinary organisers and each role may do).
    """
    from web import create_app

    _copy_database(seeded_db_path, db_path)
    app = create_app({
        "TESTING": True,
        "DATABASE": str(db_path),
        "SECRET_KEY": "test-only-key",
        "SYNTHESIS_IN_THREAD": False,
    })
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    """Runs `harvest` in-process: `runner.invoke(cli, [...])` gives the same exit codes as main()."""
    return CliRunner()


@pytest.fixture
def nlp():
    """spaCy's blank English pipeline with a rule-based sentencizer: fast unit tests, no model."""
    import spacy

    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    return blank
