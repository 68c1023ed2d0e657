"""`harvest series`: named series of events, which network digests cover."""

from __future__ import annotations

import click

from capture.series import list_series, save_series, series_events
from web.cli import cli, pass_ctx


@cli.command()
@click.argument("slug", required=False)
@click.option("--title", default=None, help="The series' title (creates the series, or renames it).")
@pass_ctx
def series(ctx, slug: str | None, title: str | None) -> None:
    """Create or rename a series of events; without SLUG, list the series with their events.

    Put an event in a series with `harvest event SLUG --series SERIES`; publish the network
    digest with `harvest publish --series SERIES`.
    """
    if slug is None:
        if title:
            raise click.UsageError("--title needs the series' SLUG.")
        found = list_series(ctx.db)
        if not found:
            click.echo("No series yet. Make one with `harvest series SLUG --title TITLE`.")
        for s in found:
            events = series_events(ctx.db, s.slug)
            click.echo(f"{s.slug:<32} {len(events):>3} event{'s' if len(events) != 1 else ' '}  {s.title}")
        return
    record = save_series(ctx.db, slug, title)
    events = series_events(ctx.db, slug)
    click.echo(f"Series {record.slug}: {record.title} ({len(events)} event{'s' if len(events) != 1 else ''})")
