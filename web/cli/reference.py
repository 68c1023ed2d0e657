"""docs/cli.md, written from the commands themselves: `python -m web.cli.reference > docs/cli.md`.

The reference is generated rather than hand-kept (as sqlite-utils does with cog) so it cannot
drift from the code; a test compares the file with what this prints.
"""

from __future__ import annotations

import click

from web.cli import cli

INTRO = """# The command line

`harvest [--db PATH] COMMAND`: PATH defaults to `$HARVEST_DB`, else `./harvest.db`. Scripts and
checks call these commands, so they are stable. Errors go to stderr with exit status 1 and say
what to do (the file, row or field); usage errors exit 2; no command prints a traceback.
`harvest synthesise SLUG --json` prints the result of [result.md](result.md).

This page is generated from the commands' own help: `python -m web.cli.reference > docs/cli.md`.
"""


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name in sorted(group.commands):
        command = group.commands[name]
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def reference() -> str:
    """The Markdown reference of every `harvest` command, with its usage, help and options."""
    parts = [INTRO]
    # Under the `harvest` context, as when the command runs: its `-h` (help_option_names) then shows
    # here too. click keeps a command's help option once made, so without the parent the page
    # depended on whether a command had already run in the same process.
    root = cli.make_context("harvest", [], resilient_parsing=True)
    for path, command in _commands(cli):
        name = " ".join(path)
        with click.Context(command, info_name=name, parent=root, terminal_width=100) as ctx:
            text = command.get_help(ctx)
        parts.append(f"## harvest {name}\n\n```\n{text}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    click.echo(reference(), nl=False)
