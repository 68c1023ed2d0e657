"""The Harvest web app: organiser pages, attendee forms, public digests and the JSON API.

The app factory and its helpers live in `web.app` and are read from there on first use
(`from web import create_app` still works): importing `web.cli` for `harvest --help` or a
command that needs no server then does not load Flask.
"""

from __future__ import annotations

# First, so sqlite-utils is imported the way capture/__init__.py does it (without pandas).
import capture  # noqa: F401


def __getattr__(name: str):
    # PEP 562: `web.create_app`, `web.when`, `web.SQLITE_MAX_INT`... come from web/app.py.
    # import_module, not `from web import app`: that asks this very hook for `app` and recurses.
    import importlib

    app = importlib.import_module("web.app")
    try:
        return getattr(app, name)
    except AttributeError:
        raise AttributeError(f"module 'web' has no attribute {name!r}") from None
