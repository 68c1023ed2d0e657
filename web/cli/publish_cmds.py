"""`harvest digest` and `harvest publish`: the digest from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from capture.store import get_event
from web.cli import cli, pass_ctx

# Kept here, not imported from web.publish, so that every `harvest` command starts without
# loading matplotlib and the Markdown renderer; a test checks the two lists agree.
FORMATS = ("markdown", "html", "json", "csv")


@cli.command()
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="markdown", show_default=True,
              help="markdown, html (a standalone page), json (the themes) or csv (one row per theme).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
@pass_ctx
def digest(ctx, slug: str, fmt: str, output: str | None) -> None:
    """Print an event's digest: the latest published version, else the current draft.

    Under the Chatham House Rule every format is redacted (the draft with the suggested
    replacements, confirmed or not).
    """
    event = get_event(ctx.db, slug)
    from web.publish.publishing import digest_output

    text, which = digest_output(ctx.db, event, fmt)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"Cannot write {output}: {exc.strerror}. Check the path.") from None
        click.echo(f"Wrote the {which} of {slug} as {fmt} to {output}.", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))
        click.echo(f"({which})", err=True)


@cli.command("publish")
@click.argument("slug")
@click.option("--accept-redactions", is_flag=True,
              help="Confirm the suggested Chatham House replacements as they stand, then publish.")
@pass_ctx
def publish_cmd(ctx, slug: str, accept_redactions: bool) -> None:
    """Publish a new version of an event's digest (refused while redactions are unconfirmed)."""
    event = get_event(ctx.db, slug)
    from web.publish.publishing import publish

    version = publish(ctx.db, event, accept_redactions=accept_redactions, actor="cli")
    click.echo(f"Published {slug} version {version}: /digests/{slug}/v{version}")
