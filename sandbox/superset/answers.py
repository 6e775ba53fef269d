"""Error answers in the shapes a live Superset 6.1 uses."""

from __future__ import annotations

from typing import Any

ISSUE_CODES = {
    "GENERIC_BACKEND_ERROR": (1011, "Issue 1011 - Superset encountered an unexpected error."),
    "DML_NOT_ALLOWED_ERROR": (1022, "Issue 1022 - Database does not allow data manipulation."),
    "INVALID_SQL_ERROR": (1003, "Issue 1003 - There is a syntax error in the SQL query. Perhaps there was a "
                                "misspelling or a typo."),
    "GENERIC_DB_ENGINE_ERROR": (1002, "Issue 1002 - The database returned an unexpected error."),
}


class ApiError(Exception):
    """A request the sandbox refuses: the HTTP `status` and the JSON `body` to answer with."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


def message(status: int, text: str) -> ApiError:
    """Flask-AppBuilder's `{"message": "..."}`."""
    return ApiError(status, {"message": text})


def field_errors(problems: dict[str, Any], status: int = 400) -> ApiError:
    """A payload marshmallow refused: `{"message": {field: ["..."]}}`."""
    return ApiError(status, {"message": problems})


def superset_error(status: int, text: str, error_type: str, **extra: Any) -> ApiError:
    """SIP-40 `{"errors": [{message, error_type, level, extra}]}`."""
    code = ISSUE_CODES.get(error_type)
    details = dict(extra)
    if code:
        details["issue_codes"] = [{"code": code[0], "message": code[1]}]
    return ApiError(status, {"errors": [{"message": text, "error_type": error_type, "level": "error",
                                         "extra": details}]})
