"""What the Superset client logs in with, and the tokens it holds. `repr` never shows a secret."""

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
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) else None


@dataclass
class Session:
    """A Superset user's login (`provider` db or ldap), its JWTs and the CSRF token for writes."""

    username: str
    password: str = field(repr=False)
    provider: str = "db"
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None
    csrf_token: str | None = field(default=None, repr=False)

    def store(self, access: str, refresh: str | None = None) -> None:
        self.access_token = access
        if refresh:
            self.refresh_token = refresh
        self.expires_at = jwt_expiry(access)

    def expiring(self, *, margin: float, now: float | None = None) -> bool:
        """No access token yet, or it expires within `margin` seconds."""
        if self.access_token is None:
            return True
        if self.expires_at is None:
            return False
        return (now if now is not None else time.time()) >= self.expires_at - margin

    def forget(self) -> None:
        """Drop every token (after the server refused them)."""
        self.access_token = self.refresh_token = self.csrf_token = None
        self.expires_at = None

    def secrets(self) -> list[str]:
        """The values to scrub from anything the client reports."""
        return [s for s in (self.password, self.access_token, self.refresh_token, self.csrf_token) if s]
