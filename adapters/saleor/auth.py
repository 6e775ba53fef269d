"""Credentials for Saleor: a fixed app token, or a staff login whose JWT is refreshed before it expires."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT as a Unix time, read without verifying the signature."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    return float(exp) if isinstance(exp, int | float) else None


@dataclass
class Credentials:
    """What the client authenticates with. `repr` never shows a secret."""

    app_token: str | None = field(default=None, repr=False)
    email: str | None = None
    password: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None

    @property
    def uses_login(self) -> bool:
        return self.app_token is None and self.email is not None and self.password is not None

    def bearer(self) -> str | None:
        return self.app_token or self.access_token

    def store_tokens(self, access: str, refresh: str | None = None) -> None:
        self.access_token = access
        if refresh:
            self.refresh_token = refresh
        self.expires_at = jwt_expiry(access)

    def forget_access(self) -> None:
        self.access_token = None
        self.expires_at = None

    def needs_login(self, *, margin: float, now: float | None = None) -> bool:
        """True when a login-based client has no access token or it expires within `margin` seconds."""
        if not self.uses_login:
            return False
        if self.access_token is None:
            return True
        if self.expires_at is None:
            return False
        return (now if now is not None else time.time()) >= self.expires_at - margin
