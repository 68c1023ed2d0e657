"""`harvest synthesise`: run the synthesis pipeline on an event and print the themes.

A thin layer over `synthesis.pipeline.synthesise`; the heavy libraries (spaCy, torch,
BERTopic) are imported only when this command runs, so other commands start quickly.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap

import click

from capture.errors import HarvestError
from capture.store import get_event
from web.cli import cli, pass_ctx

LABEL_NAMES = {"ORG": "organisation", "GPE": "place", "LOC": "place", "PERSON": "person", "LAW": "law"}


class StageProgress:
    """Stage lines and a bar on stderr (only when stderr is a terminal; never on stdout)."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.last = None

    def __call__(self, stage: str, fraction: float) -> None:
        if not self.enabled or stage == self.last:
            return
        self.last = stage
        filled = int(round(fraction * 20))
        click.echo(f"\r[{'#' * filled}{'.' * (20 - filled)}] {fraction:4.0%} {stage:<28}",
                   err=True, nl=stage == "done")


def _summary_lines(theme: dict) -> list[str]:
    """The theme's summary, marked as the notes' own words where it is (else the organiser's)."""
    quotes = theme.get("summary_quotes") or []
    summary = theme.get("summary") or ""
    wrap = textwrap.TextWrapper(width=100, initial_indent="   ", subsequent_indent="     ")
    if not summary:
        return ["   (No sentence in the notes states this theme on its own.)"]
    if quotes and summary == " ".join(q["text"] for q in quotes):
        cited = " ".join(f"\u201c{' '.join(q['text'].split())}\u201d [{q.get('cite') or 'note ' + q['note']}]"
                         for q in quotes)
        return wrap.wrap(f"In the notes' words: {cited}")
    return wrap.wrap(f"Summary: {' '.join(summary.split())}")


def format_summary(result: dict, number: int) -> str:
    """The readable summary: themes with labels, sizes, tables, quotes; then entities.
    `number` is the run's number among the event's runs (synthesis.runs.run_number)."""
    themes, unassigned = result["themes"], result["unassigned"]
    total = sum(t["size"] for t in themes) + len(unassigned)
    lines = [f"{result['event']['title']} ({result['event']['slug']}): {len(themes)} themes from "
             f"{total} segments, {len(unassigned)} unassigned (run {number})", ""]
    wrap = textwrap.TextWrapper(width=100, initial_indent="   > ", subsequent_indent="     ")
    for number, theme in enumerate(themes, 1):
        tables = ""
        if theme["tables"]:
            tables = "; tables: " + ", ".join(theme["tables"])
        lines.append(f"{number}. {theme['label']}  ({theme['size']} segments{tables})")
        if theme["keywords"]:
            lines.append(f"   keywords: {', '.join(theme['keywords'])}")
        lines.extend(_summary_lines(theme))
        for quote in theme["quotes"]:
            cited = quote.get("cite") or f"note {quote['note']}"
            lines.extend(wrap.wrap(f"\u201c{' '.join(quote['text'].split())}\u201d [{cited}]"))
        lines.append("")
    if result["entities"]:
        named = ", ".join(f"{e['text']} ({LABEL_NAMES.get(e['label'], e['label'])}, {e['count']})"
                          for e in result["entities"])
        lines.extend(textwrap.wrap(f"Mentioned: {named}", width=100))
    return "\n".join(lines)


def _network(ctx, series: str | None, since: str | None, until: str | None, as_json: bool) -> None:
    from capture.series import ALL, get_series
    from web.publish.network import network_data, public_data

    for name, value in (("--since", since), ("--until", until)):
        if value and not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            raise HarvestError(f"Invalid {name} date {value!r}: use YYYY-MM-DD.")
    if series and series != ALL:
        get_series(ctx.db, series)
    result, _ = network_data(ctx.db, series or ALL, since=since, until=until)
    if as_json:
        click.echo(json.dumps(public_data(result), ensure_ascii=False, indent=2))
        return
    if not result["themes"]:
        click.echo("No published event digests in that range: publish some first (`harvest publish SLUG`).")
        return
    for theme in result["themes"]:
        where = ", ".join(e["slug"] + (f" ({e['date']})" if e["date"] else "") for e in theme["events"])
        click.echo(f"{theme['label']}  [{theme['status']}]  {where}")


@cli.command()
@click.argument("slug", required=False)
@click.option("--themes", default=None,
              help='Themes you expect, separated by semicolons: "distrust; capacity; Social Value Act".')
@click.option("--json", "as_json", is_flag=True,
              help="Print the result as JSON (the contract of docs/result.md).")
@click.option("--network", is_flag=True,
              help="Themes across events (recurring, new, fading), from each event's published digest.")
@click.option("--series", default=None, help="With --network: only this series' events.")
@click.option("--since", default=None, help="With --network: events on or after this date.")
@click.option("--until", default=None, help="With --network: events on or before this date.")
@click.option("--cancel", is_flag=True, help="Cancel the event's running synthesis (in any process) instead.")
@pass_ctx
def synthesise(ctx, slug: str | None, themes: str | None, as_json: bool, network: bool,
               series: str | None, since: str | None, until: str | None, cancel: bool) -> None:
    """Find the themes in an event's approved notes, store the run and print them."""
    if network:
        if slug:
            raise click.UsageError("--network covers every event: give no SLUG (use --since/--until).")
        _network(ctx, series, since, until, as_json)
        return
    if since or until or series:
        raise click.UsageError("--since, --until and --series go with --network.")
    if not slug:
        raise click.UsageError("Give the event's SLUG (see `harvest events`).")
    event = get_event(ctx.db, slug)
    if cancel:
        from synthesis.runs import cancel_run, run_number

        cancelled = cancel_run(ctx.db, event, actor="the command line")
        click.echo(f"Cancelled synthesis run {run_number(ctx.db, cancelled)} of {slug}." if cancelled
                   else f"No synthesis of {slug} is running.")
        return
    from synthesis.pipeline import synthesise as run_pipeline
    from synthesis.runs import get_run, latest_result, run_number

    try:
        run_id = run_pipeline(ctx.db, event, themes=themes, progress=StageProgress())
    except HarvestError:
        raise
    except Exception as exc:  # noqa: BLE001 - the run is marked failed; the user gets one line
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise HarvestError(f"The synthesis of {slug} failed ({type(exc).__name__}: {reason}). The run is "
                           "marked failed and the previous result is kept.") from None
    result = latest_result(ctx.db, event)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(format_summary(result, run_number(ctx.db, get_run(ctx.db, run_id))))
