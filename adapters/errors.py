"""Typed errors raised by every adapter.

Each error carries the external system's name, its own message, and, where the system says
which input was wrong, the field. Constructors only store values: no I/O, no logging.
"""

from __future__ import annotations


class AdapterError(Exception):
    """A call to an external system failed."""

    def __init__(self, system: str, message: str, *, field: str | None = None, status: int | None = None):
        self.system = system
        self.message = message
        self.field = field
        self.status = status
        where = f" (field {field!r})" if field else ""
        super().__init__(f"{system}: {message}{where}")


class AuthError(AdapterError):
    """Credentials are missing, wrong or expired. Fix the tenant's credentials in settings."""


class NotFound(AdapterError):
    """The named object does not exist in the system."""


class Conflict(AdapterError):
    """The object exists with other settings, or the change clashes with its current state."""


class RateLimited(AdapterError):
    """The system asked us to slow down; `retry_after` is in seconds when it said."""

    def __init__(self, system: str, message: str, *, retry_after: float | None = None, status: int | None = 429):
        super().__init__(system, message, status=status)
        self.retry_after = retry_after


class Unavailable(AdapterError):
    """The system could not be reached or answered 5xx after the retries."""


class InvalidRequest(AdapterError):
    """The system rejected the input; `field` names the offending input when known."""
