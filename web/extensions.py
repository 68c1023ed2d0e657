"""Flask extensions shared by the blueprints: CSRF protection (rate limits are in web/rate_limits.py)."""

from __future__ import annotations

from flask_wtf import CSRFProtect

csrf = CSRFProtect()
