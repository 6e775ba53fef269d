"""The CRM's side of a round trip: reading its answers, where a 2xx can still be a failure."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.crm.failures import SYSTEM, error_for
from adapters.errors import AdapterError
from adapters.rest import BearerJsonTransport


class CrmTransport(BearerJsonTransport):
    """Sends JSON requests to one django-crm (BottleCRM) server with its personal access token.

    POST and PATCH are never retried, since the CRM may have applied them. A 2xx answer with
    `error: true` is a failure too.
    """

    system = SYSTEM
    name = "the CRM"

    def read(self, response: httpx.Response, what: str) -> Any:
        body = super().read(response, what)
        if isinstance(body, dict) and body.get("error") is True:
            raise error_for(400, body, what=what)
        return body

    def error_for(self, status: int, body: Any, *, what: str) -> AdapterError:
        return error_for(status, body, what=what)
