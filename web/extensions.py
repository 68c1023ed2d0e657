"""Flask extensions shared by the blueprints: CSRF protection and the rate limiter."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
# In-memory storage by default; per-view limits are set where the views are declared.
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://")
