"""JWT-shaped tokens (HS256 over hmac) like the ones Saleor's tokenCreate returns."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

ACCESS = "access"
REFRESH = "refresh"


class TokenError(Exception):
    """A token that is malformed, forged, expired or of the wrong kind."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, signing_input: str) -> str:
    return _b64(hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest())


def issue(secret: str, *, email: str, kind: str, ttl: float, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {
        "iat": issued,
        "exp": issued + int(ttl),
        "iss": "saleor-sandbox",
        "token": secrets.token_hex(8),
        "email": email,
        "type": kind,
        "is_staff": True,
    }
    payload = _b64(json.dumps(claims).encode())
    return f"{header}.{payload}.{_sign(secret, f'{header}.{payload}')}"


def verify(secret: str, token: str, *, kind: str, now: float | None = None) -> dict[str, Any]:
    """The token's claims; TokenError with a Saleor-like code when it is not a valid `kind` token."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("DecodeError", "Not enough segments")
    expected = _sign(secret, f"{parts[0]}.{parts[1]}")
    if not hmac.compare_digest(expected, parts[2]):
        raise TokenError("InvalidSignatureError", "Signature verification failed")
    try:
        claims: dict[str, Any] = json.loads(_unb64(parts[1]))
    except ValueError as exc:
        raise TokenError("DecodeError", "Invalid payload") from exc
    if claims.get("type") != kind:
        raise TokenError("InvalidTokenError", "Invalid token type")
    if float(claims.get("exp", 0)) <= (now if now is not None else time.time()):
        raise TokenError("ExpiredSignatureError", "Signature has expired")
    return claims
