"""`harvest digest` and `harvest publish`: the digest from the command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from capture.store import get_event
from web.cli import cli, pass_ctx

# Kept here, not imported from web.publish, so that every `harvest` command starts without
# loading matplotlib and the Markdown renderer; a test checks the two lists agree.
FORMATS = ("markdown", "html", "json", "csv")


@cli.command()
@click.argument("slug", required=False)
@click.option("--series", default=None,
              help="The network digest of this series (`all`: every published event) instead of an event's.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="markdown", show_default=True,
              help="markdown, html (a standalone page), json (the themes) or csv (one row per theme).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
@pass_ctx
def digest(ctx, slug: str | None, series: str | None, fmt: str, output: str | None) -> None:
    """Print an event's digest: the latest published version, else the current draft.

    Under the Chatham House Rule every format is redacted (the draft with the suggested
    replacements, confirmed or not). With --series, the network digest: its latest published
    version, else a preview built from the events' published digests.
    """
    if bool(slug) == bool(series):
        raise click.UsageError("Give an event's SLUG, or --series SERIES for a network digest.")
    if series:
        from capture.series import ALL, get_series
        from web.publish.network import network_output

        if series != ALL:
            get_series(ctx.db, series)
        text, which = network_output(ctx.db, series, fmt)
        slug = series
    else:
        event = get_event(ctx.db, slug)
        from web.publish.publishing import digest_output

        # $HARVEST_URL, as `harvest serve` reads it for PUBLIC_URL: the Markdown links absolute URLs.
        text, which = digest_output(ctx.db, event, fmt, base_url=os.environ.get("HARVEST_URL") or None)
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
@click.argument("slug", required=False)
@click.option("--series", default=None,
              help="Publish the network digest of this series (`all`: every published event) instead.")
@click.option("--accept-redactions", is_flag=True,
              help="Confirm the suggested Chatham House replacements as they stand, then publish.")
@click.option("--keep-open/--close", "keep_open", default=None,
              help="Keep the attendee form open after publishing, or close it. Asked for when the "
                   "event is open and neither is given at a terminal; otherwise --close.")
@pass_ctx
def publish_cmd(ctx, slug: str | None, series: str | None, accept_redactions: bool,
                keep_open: bool | None) -> None:
    """Publish a new version of an event's digest (refused while redactions are unconfirmed)."""
    if bool(slug) == bool(series):
        raise click.UsageError("Give an event's SLUG, or --series SERIES for a network digest.")
    if series:
        from capture.series import ALL, get_series
        from web.publish.network import publish_network

        if series != ALL:
            get_series(ctx.db, series)
        version = publish_network(ctx.db, series, actor="cli")
        click.echo(f"Published the network digest of {series} version {version}: /series/{series}/v{version}")
        return
    event = get_event(ctx.db, slug)
    from web.publish.publishing import publish

    if keep_open is None and event.status == "open" and sys.stdin is not None and sys.stdin.isatty():
        keep_open = click.confirm("Keep accepting notes from attendees after publishing?", default=False)
    version = publish(ctx.db, event, accept_redactions=accept_redactions, actor="cli",
                      keep_open=bool(keep_open))
    click.echo(f"Published {slug} version {version}: /digests/{slug}/v{version}")
    if event.status == "open":
        click.echo("Attendees can still send notes." if keep_open else
                   "The attendee form is now closed (publish with --keep-open to keep it open).")


@cli.command("unpublish")
@click.argument("slug")
@click.option("--version", "version", type=click.IntRange(min=1), required=True,
              help="The published version to withdraw (see the digest's page for its versions).")
@pass_ctx
def unpublish_cmd(ctx, slug: str, version: int) -> None:
    """Withdraw a published version: gone from the digest pages, the index and the feed (logged)."""
    event = get_event(ctx.db, slug)
    from web.publish.publishing import withdraw

    remaining = withdraw(ctx.db, event, version, actor="cli")
    shown = (f"readers now see version {remaining['version']}" if remaining
             else "nothing of it is published now")
    click.echo(f"Withdrew {slug} version {version}; {shown}.")
