"""The admin console under /admin: server-rendered pages (Jinja2) with one small build-free script.

Pages work for reading without JavaScript; the script adds the inbox's live refresh (SSE), expiry
countdowns and confirmation prompts. The pages are left out of the OpenAPI document (they answer
HTML forms); the JSON routes they mirror are in it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.console import admin_pages, pages
from api.console.session import BASE, ConsoleError, LoginNeeded, render
from api.deps import api_state


async def _login_needed(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{BASE}/login?next={quote(target, safe='')}", status_code=303)


async def _console_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConsoleError)
    return render(request, api_state(request), "error.html", {"status": exc.status, "message": exc.message,
                                                              "title": "Error"}, status=exc.status)


def install_console(app: FastAPI) -> None:
    app.include_router(pages.router)
    app.include_router(admin_pages.router)
    app.mount(f"{BASE}/static", StaticFiles(directory=Path(__file__).parent / "static"), name="console-static")
    app.add_exception_handler(LoginNeeded, _login_needed)
    app.add_exception_handler(ConsoleError, _console_error)
