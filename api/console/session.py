"""The console's session: who is signed in (cookies), CSRF tokens, and rendering pages.

Cookies, all HttpOnly, Secure when the request came over TLS (or `cookie_secure` says so):
- `brain_access`: the API's own access JWT (SameSite=Lax, path /admin), short-lived;
- `brain_refresh`: the opaque refresh token (SameSite=Strict, path /admin), rotated when the access
  token has expired; a page request with an expired access token and a good refresh token goes on;
- `brain_csrf`: a random value (SameSite=Strict). Every form carries HMAC(secret, that value) in a
  hidden field `csrf`; a POST whose field does not match is refused (403) before anything is done.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.auth_login import TokenPair, accounts, local_sign_in, refresh_pair
from api.deps import ApiState, api_state, current_brain
from api.errors import ApiError
from policies.model import ROLE_RANK
from runtime.brain import Brain
from runtime.runs import Actor

ACCESS, REFRESH, CSRF = "brain_access", "brain_refresh", "brain_csrf"
BASE = "/admin"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


class LoginNeeded(Exception):
    """No valid session: the page redirects to the sign-in form."""


class ConsoleError(Exception):
    """A page that cannot be shown to this user: rendered as an HTML error page with this status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Visit:
    """One request to the console: the Brain, the signed-in actor, and cookies to set on the answer."""

    request: Request
    state: ApiState
    brain: Brain
    actor: Actor
    cookies: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # name -> (value, max-age, samesite)

    def at_least(self, role: str) -> bool:
        return ROLE_RANK.get(self.actor.role, -1) >= ROLE_RANK[role]

    def require(self, role: str, doing: str) -> None:
        if not self.at_least(role):
            raise ConsoleError(403, f"{doing} needs the {role} role or higher; you are {self.actor.role}")


def secure(request: Request, state: ApiState) -> bool:
    configured = state.settings.cookie_secure
    return configured if configured is not None else request.url.scheme == "https"


def _csrf_key(state: ApiState) -> bytes:
    return hashlib.sha256(b"console-csrf:" + state.settings.jwt_secret.get_secret_value().encode()).digest()


def csrf_token(request: Request, state: ApiState, cookies: dict[str, tuple[str, int, str]]) -> str:
    """The form token for this browser (a new csrf cookie is queued when it has none)."""
    seed = request.cookies.get(CSRF) or (cookies[CSRF][0] if CSRF in cookies else None)
    if not seed:
        seed = secrets.token_urlsafe(24)
        cookies[CSRF] = (seed, 7 * 86400, "strict")
    return hmac.new(_csrf_key(state), seed.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, state: ApiState, form: Any) -> None:
    seed = request.cookies.get(CSRF)
    sent = form.get("csrf") if form is not None else None
    good = seed and isinstance(sent, str) and hmac.compare_digest(
        hmac.new(_csrf_key(state), seed.encode(), hashlib.sha256).hexdigest(), sent)
    if not good:
        raise ConsoleError(403, "this form has expired or did not come from the console (CSRF check); reload the page")


def session_cookies(state: ApiState, pair: TokenPair) -> dict[str, tuple[str, int, str]]:
    return {ACCESS: (pair.access_token, pair.expires_in, "lax"),
            REFRESH: (pair.refresh_token, state.settings.refresh_token_seconds, "strict")}


async def visit(request: Request) -> Visit:
    """The signed-in visit; LoginNeeded without a valid access token or refresh token."""
    state = api_state(request)
    try:
        brain = current_brain(request)
    except ApiError as exc:
        raise ConsoleError(503, exc.message) from exc
    token = request.cookies.get(ACCESS)
    if token:
        try:
            return Visit(request, state, brain, await state.verifier.verify(token))
        except ApiError:
            pass
    refresh = request.cookies.get(REFRESH)
    if refresh and local_sign_in(state):
        try:
            pair = await refresh_pair(state, accounts(request, brain), refresh)
        except ApiError as exc:
            raise LoginNeeded from exc
        actor = await state.verifier.verify(pair.access_token)
        return Visit(request, state, brain, actor, cookies=session_cookies(state, pair))
    raise LoginNeeded


def apply_cookies(response: Response, request: Request, state: ApiState, cookies: dict[str, tuple[str, int, str]]) -> Response:
    tls = secure(request, state)
    for name, (value, max_age, samesite) in cookies.items():
        if value:
            response.set_cookie(name, value, max_age=max_age, path=BASE, httponly=True, secure=tls,
                                samesite=samesite)  # type: ignore[arg-type]
        else:
            response.delete_cookie(name, path=BASE, httponly=True, secure=tls, samesite=samesite)  # type: ignore[arg-type]
    return response


def render(request: Request, state: ApiState, template: str, context: dict[str, Any], *, status: int = 200,
           cookies: dict[str, tuple[str, int, str]] | None = None, actor: Actor | None = None) -> HTMLResponse:
    """A page, with its CSRF token, the signed-in actor and any cookies the visit queued."""
    queued = dict(cookies or {})
    page = {"csrf": csrf_token(request, state, queued), "actor": actor, "base": BASE,
            "path": request.url.path, "notice": request.query_params.get("notice"), **context}
    response = TEMPLATES.TemplateResponse(request, template, page, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
    response.headers["Referrer-Policy"] = "same-origin"
    apply_cookies(response, request, state, queued)
    return response


def page(v: Visit, template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    return render(v.request, v.state, template, context, status=status, cookies=v.cookies, actor=v.actor)


def redirect(v: Visit | None, url: str, request: Request | None = None, *, notice: str | None = None) -> Response:
    if notice:
        from urllib.parse import urlencode

        url += ("&" if "?" in url else "?") + urlencode({"notice": notice})
    response = RedirectResponse(url, status_code=303)
    if v is not None:
        apply_cookies(response, v.request, v.state, v.cookies)
    return response
