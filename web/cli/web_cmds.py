"""`harvest user add`, `harvest serve`, `harvest backup` and `harvest restore`."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from capture.errors import HarvestError
from capture.store import open_db
from web.cli import Context, cli, pass_ctx


@cli.group()
def user() -> None:
    """Organiser accounts for the web app."""


@user.command("add")
@click.argument("email")
@click.option("--admin/--no-admin", default=None,
              help="An admin sees and may do everything, on every event; --no-admin makes an admin an "
                   "ordinary organiser again. Default: a new account is not an admin, an existing one "
                   "keeps what it was.")
@pass_ctx
def user_add(ctx: Context, email: str, admin: bool | None) -> None:
    """Create an organiser account (or reset its password, which logs out its sessions).

    The password is asked for twice, hidden; when stdin is not a terminal it is read from the
    first line of stdin (for scripts: `echo "$PW" | harvest user add EMAIL`). Organisers see only
    the events they own or that are shared with them; admins see all.
    """
    from web.auth import add_user

    if sys.stdin is not None and sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = (sys.stdin.readline() if sys.stdin else "").rstrip("\r\n")
        if not password:
            raise HarvestError("No password on stdin: pipe one in, or run from a terminal to be asked.")
    add_user(ctx.db, email, password, admin=admin)
    is_admin = ctx.db.execute("SELECT is_admin FROM user WHERE email = ?", [email.strip()]).fetchone()[0]
    click.echo(f"{'Admin' if is_admin else 'Organiser'} {email.strip()} can now log in.")


@user.command("list")
@pass_ctx
def user_list(ctx: Context) -> None:
    """List the accounts: email, admin or not, and how many events each owns or shares."""
    rows = list(ctx.db.query(
        """SELECT u.email, u.is_admin, count(m.event_id) AS events FROM user u
           LEFT JOIN event_member m ON m.user_id = u.id GROUP BY u.id ORDER BY u.email"""))
    if not rows:
        click.echo("No accounts yet. Create one with `harvest user add EMAIL --admin`.")
    for r in rows:
        click.echo(f"{r['email']:<40} {'admin' if r['is_admin'] else 'organiser':<9} {r['events']:>4} events")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface; prefer a reverse proxy).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Worker threads.")
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int) -> None:
    """Serve the web app under waitress (a production WSGI server).

    Behind a reverse proxy on this machine, set HARVEST_BEHIND_PROXY=1 (or PROXY_FIX = True in
    instance/config.py): X-Forwarded-For/-Proto/-Host/-Port are then believed from the proxy at
    $HARVEST_TRUSTED_PROXY (default 127.0.0.1) and dropped from anyone else.
    """
    from web import create_app
    from web.serving import create_server
    from web.worker import mark_interrupted, stop_synthesis

    db_path = str(Path(ctx.db_path).resolve())
    db = open_db(db_path)
    interrupted = mark_interrupted(db)
    db.conn.close()
    if interrupted:
        click.echo(f"Marked {interrupted} synthesis run(s) left by a stopped server as failed.", err=True)
    # instance/config.py applies; --db / $HARVEST_DB names the database (and so its secret key)
    app = create_app(database=db_path)
    try:
        server = create_server(app, host=host, port=port, threads=threads)
    except OSError as exc:
        raise HarvestError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}. "
                           "Choose another --port.") from None
    except ValueError:  # waitress: a host name it cannot resolve to an address
        raise HarvestError(f"Cannot listen on {host}:{port}: {host!r} is not an address of this machine. "
                           "Give an IP address such as 127.0.0.1.") from None
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Harvest is serving {db_path} at http://{shown}:{server.effective_port}/ "
               "(Ctrl-C to stop)", err=False)
    sys.stdout.flush()
    try:
        server.run()
    finally:
        server.close()
        # Runs still waiting or working are failed with the reason; the workers then finish.
        stop_synthesis(app)


def _check_harvest_db(path: Path) -> None:
    """Raise HarvestError unless `path` is a readable SQLite database with Harvest's tables."""
    if not path.is_file():
        raise HarvestError(f"No backup file at {path}.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise HarvestError(f"{path} is not a SQLite database ({exc}).") from None
    if not {"event", "note"} <= names:
        raise HarvestError(f"{path} is a SQLite database but not a Harvest one (no event or note table).")


def _copy(src: str, dst: str) -> None:
    """Copy database `src` onto `dst` with SQLite's online backup (consistent while the server writes)."""
    if Path(src).resolve() == Path(dst).resolve():
        raise HarvestError(f"{dst} is the database itself; give another path.")
    try:
        source = sqlite3.connect(f"file:{Path(src).resolve()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise HarvestError(f"Cannot read {src}: {exc}.") from None
    try:
        target = sqlite3.connect(dst)
        try:
            source.backup(target)
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise HarvestError(f"Cannot write {dst}: {exc}. Check the folder exists and you may write there.") \
            from None
    finally:
        source.close()


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@pass_ctx
def backup(ctx: Context, path: str, force: bool) -> None:
    """Copy the database to PATH (safe while the server runs)."""
    target = Path(path)
    if target.exists() and not force:
        raise HarvestError(f"{target} exists; choose another path or add --force.")
    if not target.parent.exists():
        raise HarvestError(f"Cannot write {target}: folder {target.parent} does not exist.")
    ctx.db  # noqa: B018 - opens (and migrates) the database, failing clearly if it is unreadable
    _copy(ctx.db_path, str(target))
    click.echo(f"Backed up {ctx.db_path} to {target}.")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@pass_ctx
def restore(ctx: Context, path: str) -> None:
    """Replace the database with the backup at PATH (stop the server first)."""
    source = Path(path)
    _check_harvest_db(source)
    _copy(str(source), ctx.db_path)
    open_db(ctx.db_path).conn.close()  # applies any newer migrations to the restored copy
    click.echo(f"Restored {ctx.db_path} from {source}.")
