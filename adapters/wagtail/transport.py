"""Wagtail's side of a round trip: its error answers (sending and redirects are `adapters.rest`'s)."""

from __future__ import annotations

from typing import Any

from adapters.errors import AdapterError
from adapters.rest import BearerJsonTransport
from adapters.wagtail.failures import SYSTEM, error_for


class WagtailTransport(BearerJsonTransport):
    """Sends JSON requests to one Wagtail site; the token goes with API v3 calls only.

    POST and PATCH are never retried, since Wagtail may have applied them (a PATCH saves a new
    revision each time). `find/` redirects to an absolute URL built from WAGTAILAPI_BASE_URL or
    the Site's hostname; `follow_redirects=True` follows it on the configured base URL.
    """

    system = SYSTEM
    name = "Wagtail"

    def error_for(self, status: int, body: Any, *, what: str) -> AdapterError:
        return error_for(status, body, what=what)
