"""Publishing: digest Markdown, sanitised HTML, Atom feed, charts and Chatham House redaction.

Everything here renders from plain data with Jinja and needs no request context, so the CLI
(`harvest digest`, `harvest publish`) and the public pages call the same functions.
"""
