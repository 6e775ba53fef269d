"""tokenCreate and tokenRefresh, answering like Saleor's JWT mutations."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from sandbox.saleor import tokens
from sandbox.saleor.catalog import to_global_id
from sandbox.saleor.context import Info, context_of, field_error, payload

_JOINED = "2026-01-01T00:00:00+00:00"


def staff_user(email: str) -> dict[str, Any]:
    """The sandbox's one staff user as a `User` object."""
    return {
        "id": to_global_id("User", "1"),
        "email": email,
        "firstName": "Sandbox",
        "lastName": "Staff",
        "isStaff": True,
        "isActive": True,
        "isConfirmed": True,
        "addresses": [],
        "metadata": [],
        "privateMetadata": [],
        "assignedAttributes": [],
        "restrictedAccessToChannels": False,
        "languageCode": "EN_US",
        "dateJoined": _JOINED,
        "updatedAt": _JOINED,
        "userPermissions": [{"code": "MANAGE_PRODUCTS", "name": "Manage products."}],
    }


class AuthMutations:
    def tokenCreate(self, info: Info, email: str, password: str, audience: str | None = None) -> dict[str, Any]:
        ctx = context_of(info)
        settings = ctx.settings
        email_ok = email.strip().casefold() == settings.staff_email.casefold()
        password_ok = hmac.compare_digest(password.encode(), settings.staff_password.encode())
        if not (email_ok and password_ok):
            error = field_error("email", "INVALID_CREDENTIALS", "Please, enter valid credentials")
            return payload("accountErrors", [error], token=None, refreshToken=None, csrfToken=None, user=None)
        secret = ctx.catalog.secret
        return payload(
            "accountErrors",
            token=tokens.issue(secret, email=settings.staff_email, kind=tokens.ACCESS, ttl=settings.access_ttl),
            refreshToken=tokens.issue(secret, email=settings.staff_email, kind=tokens.REFRESH, ttl=settings.refresh_ttl),
            csrfToken=secrets.token_hex(16),
            user=staff_user(settings.staff_email),
        )

    def tokenRefresh(
        self, info: Info, refreshToken: str | None = None, csrfToken: str | None = None
    ) -> dict[str, Any]:
        ctx = context_of(info)
        if not refreshToken:
            error = field_error("refreshToken", "JWT_MISSING_TOKEN", "Missing refreshToken")
            return payload("accountErrors", [error], token=None, user=None)
        try:
            claims = tokens.verify(ctx.catalog.secret, refreshToken, kind=tokens.REFRESH)
        except tokens.TokenError as exc:
            code = "JWT_SIGNATURE_EXPIRED" if exc.code == "ExpiredSignatureError" else "JWT_INVALID_TOKEN"
            return payload("accountErrors", [field_error("refreshToken", code, exc.message)], token=None, user=None)
        email = str(claims["email"])
        access = tokens.issue(ctx.catalog.secret, email=email, kind=tokens.ACCESS, ttl=ctx.settings.access_ttl)
        return payload("accountErrors", token=access, user=staff_user(email))
