"""Domain errors a person can act on; the CLI and web turn them into messages, never tracebacks."""


class HarvestError(Exception):
    """Base class: the message says what went wrong and what to do."""


class NotFound(HarvestError):
    """An event, table, note or run that does not exist."""


class ImportFailed(HarvestError):
    """A file that cannot be imported; the message names the file, line or row and the reason."""


class ValidationError(HarvestError):
    """A value that breaks a rule (too long, empty, wrong format)."""
