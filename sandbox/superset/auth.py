"""Superset's API security as the sandbox plays it: flask-jwt-extended tokens and Flask-WTF CSRF.

The answers copy a live Superset 6.1: a wrong login is 401 `{"message": "Not authorized"}`;
token problems come from flask-jwt-extended as `{"msg": ...}` (401 missing or expired, 422
malformed, forged or of the wrong type); a CSRF failure is a 400 in Superset's `errors` shape.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid

from sandbox.superset.answers import ApiError

ACCESS_TTL = 900.0  # Superset's JWT_ACCESS_TOKEN_EXPIRES: 15 minutes
REFRESH_TTL = 30 * 24 * 3600.0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, signing_input: str) -> str:
    return _b64(hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest())


def issue(secret: str, user_id: int, kind: str, ttl: float, *, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"fresh": kind == "access", "iat": issued, "jti": str(uuid.uuid4()), "type": kind,
              "sub": str(user_id), "nbf": issued, "exp": issued + int(ttl)}
    payload = _b64(json.dumps(claims).encode())
    return f"{header}.{payload}.{_sign(secret, f'{header}.{payload}')}"


def _jwt_failure(status: int, message: str) -> ApiError:
    return ApiError(status, {"msg": message})


def verify(secret: str, authorization: str | None, *, kind: str, now: float | None = None) -> int:
    """The user id of a valid Bearer token of `kind`, else ApiError like flask-jwt-extended's."""
    if not authorization:
        raise _jwt_failure(401, "Missing Authorization Header")
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer" or not token:
        raise _jwt_failure(422, "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'")
    parts = token.split(".")
    if len(parts) != 3:
        raise _jwt_failure(422, "Not enough segments")
    if not hmac.compare_digest(_sign(secret, f"{parts[0]}.{parts[1]}"), parts[2]):
        raise _jwt_failure(422, "Signature verification failed")
    try:
        claims = json.loads(_unb64(parts[1]))
    except ValueError as exc:
        raise _jwt_failure(422, "Invalid payload string") from exc
    if float(claims.get("exp", 0)) <= (now if now is not None else time.time()):
        raise _jwt_failure(401, "Token has expired")
    if claims.get("type") != kind:
        wanted = "Only refresh tokens are allowed" if kind == "refresh" else "Only non-refresh tokens are allowed"
        raise _jwt_failure(422, wanted)
    return int(claims["sub"])


# --- CSRF: the token is a signature of the session id that the `session` cookie carries ----------


def new_session_id() -> str:
    return secrets.token_hex(16)


def csrf_token(secret: str, session_id: str) -> str:
    return _sign(secret, f"csrf:{session_id}")


def _csrf_failure(reason: str) -> ApiError:
    error = {
        "message": f"400 Bad Request: {reason}",
        "error_type": "GENERIC_BACKEND_ERROR",
        "level": "error",
        "extra": {"issue_codes": [{"code": 1011, "message": "Issue 1011 - Superset encountered an unexpected error."}]},
    }
    return ApiError(400, {"errors": [error]})


def check_csrf(secret: str, header: str | None, session_id: str | None) -> None:
    if not header:
        raise _csrf_failure("The CSRF token is missing.")
    if not session_id:
        raise _csrf_failure("The CSRF session token is missing.")
    if not hmac.compare_digest(csrf_token(secret, session_id), header):
        raise _csrf_failure("The CSRF token is invalid.")
