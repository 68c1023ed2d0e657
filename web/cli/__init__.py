"""The `harvest` command: a thin click layer over plain functions in capture, synthesis and web.

Domain errors (`capture.errors.HarvestError`) become a one-line message on stderr with exit
status 1; usage errors exit 2; no traceback reaches the user. Commands live in one module per
area and register themselves on the `cli` group.
"""

from __future__ import annotations

import sys

import click

from capture.errors import HarvestError
from capture.store import default_db_path, open_db


class Context:
    """What every command needs: the database path, opened on first use."""

    def __init__(self, db_path: str):
        self.db_path = db_path
        self._db = None

    @property
    def db(self):
        if self._db is None:
            self._db = open_db(self.db_path)
        return self._db


class HarvestGroup(click.Group):
    """A group that turns domain errors into click errors (one line on stderr, exit 1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except HarvestError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=HarvestGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="Database file (default: $HARVEST_DB, else ./harvest.db).")
@click.version_option(package_name="roundtable-harvest")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None) -> None:
    """Harvest: capture round-table notes, find the themes, publish digests."""
    ctx.obj = Context(db_path or default_db_path())


pass_ctx = click.make_pass_decorator(Context)


def main() -> None:
    """Entry point: run the CLI, turning domain errors into messages and exit status 1."""
    try:
        cli.main(standalone_mode=False, prog_name="harvest")
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)


# Register the commands (imported for their side effect on `cli`).
from web.cli import capture_cmds, demo_cmd, network_cmds, publish_cmds, synthesis_cmds, web_cmds  # noqa: E402,F401
