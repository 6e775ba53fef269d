"""Input checks of the sandbox CRM's writes, with django-crm's field names and error wording.

Like the real serializers, unknown keys are ignored and IDs of other records that do not exist
in the organisation are dropped; a bad value is a 400 naming its field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from sandbox.crm.asgi import HTTPError, invalid
from sandbox.crm.state import CrmState, Record

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[\d\s\-()+.]{7,25}$")
DECIMAL = re.compile(r"^-?\d{0,10}(?:\.\d{0,2})?$")
LEAD_STATUS = ("assigned", "in process", "converted", "recycled", "closed")
RATINGS = ("HOT", "WARM", "COLD")
INDUSTRIES = ("ADVERTISING", "AGRICULTURE", "APPAREL & ACCESSORIES", "AUTOMOTIVE", "BANKING", "BIOTECHNOLOGY",
              "BUILDING MATERIALS & EQUIPMENT", "CHEMICAL", "COMPUTER", "EDUCATION", "ELECTRONICS", "ENERGY",
              "ENTERTAINMENT & LEISURE", "FINANCE", "FOOD & BEVERAGE", "GROCERY", "HEALTHCARE", "INSURANCE", "LEGAL",
              "MANUFACTURING", "PUBLISHING", "REAL ESTATE", "SERVICE", "SOFTWARE", "SPORTS", "TECHNOLOGY",
              "TELECOMMUNICATIONS", "TELEVISION", "TRANSPORTATION", "VENTURE CAPITAL")
CURRENCIES = ("USD", "EUR", "GBP", "INR", "CAD", "AUD", "JPY", "CNY", "CHF", "SGD", "AED", "BRL", "MXN", "ZAR")
TASK_STATUS = ("New", "In Progress", "Completed")
PRIORITIES = ("Low", "Medium", "High")
COLORS = ("gray", "red", "orange", "amber", "yellow", "lime", "green", "emerald", "teal", "cyan", "sky", "blue",
          "indigo", "violet", "purple", "fuchsia", "pink", "rose")
DEAL_TYPES = ("NEW_BUSINESS", "EXISTING_BUSINESS", "RENEWAL", "UPSELL", "CROSS_SELL")

Check = Callable[[str, Any], Any]


def text(max_length: int = 255) -> Check:
    def check(field: str, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise invalid(field, "Not a valid string.")
        if len(value) > max_length:
            raise invalid(field, f"Ensure this field has no more than {max_length} characters.")
        return value
    return check


def email(field: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    if not isinstance(value, str) or not EMAIL.match(value):
        raise invalid(field, "Enter a valid email address.")
    return value


def phone(field: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    if not isinstance(value, str) or not PHONE.match(value):
        raise invalid(field, "Enter a valid phone number (7-25 digits, spaces, +, -, parentheses).")
    return value


def choice(options: tuple[str, ...], *, blank: bool = True) -> Check:
    def check(field: str, value: Any) -> Any:
        if value is None or (blank and value == ""):
            return value
        if value not in options:
            raise invalid(field, f'"{value}" is not a valid choice.')
        return value
    return check


def country(field: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        raise invalid(field, f'"{value}" is not a valid choice.')
    return value


def decimal(field: str, value: Any) -> Any:
    if value is None:
        return None
    text_value = str(value)
    if isinstance(value, bool) or not DECIMAL.match(text_value):
        raise invalid(field, "A valid number is required.")
    return f"{float(text_value):.2f}"


def integer(field: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not re.fullmatch(r"-?\d+", str(value)):
        raise invalid(field, "A valid integer is required.")
    return int(value)


def iso_date(field: str, value: Any) -> Any:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise invalid(field, "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.") from None


def boolean(field: str, value: Any) -> Any:
    if not isinstance(value, bool):
        raise invalid(field, "Must be a valid boolean.")
    return value


def ids_in(state: CrmState, table: str) -> Check:
    def check(field: str, value: Any) -> Any:
        if not isinstance(value, list):
            raise invalid(field, f'Expected a list of items but got type "{type(value).__name__}".')
        return [str(v) for v in value if str(v) in state.table(table)]
    return check


def id_in(state: CrmState, table: str, what: str) -> Check:
    def check(field: str, value: Any) -> Any:
        if value in (None, ""):
            return None
        if str(value) not in state.table(table):
            raise invalid(field, f'Invalid pk "{value}" - {what} does not exist.')
        return str(value)
    return check


def clean(data: Record, checks: dict[str, Check], *, required: tuple[str, ...] = ()) -> Record:
    """The known fields of `data`, checked; missing or blank required fields are refused."""
    for name in required:
        if data.get(name) in (None, ""):
            raise invalid(name, "This field is required.")
    return {name: check(name, data[name]) for name, check in checks.items() if name in data}


def custom_fields(state: CrmState, model: str, value: Any, existing: Record | None = None) -> Record:
    """Custom field values checked against the organisation's definitions for `model`, merged."""
    if value is None:
        return dict(existing or {})
    if not isinstance(value, dict):
        raise invalid("custom_fields", "Expected a dictionary of items.")
    definitions = {d["key"]: d for d in state.table("custom_fields").values()
                   if d["target_model"] == model and d["is_active"]}
    cleaned = dict(existing or {})
    problems: dict[str, list[str]] = {}
    for key, raw in value.items():
        definition = definitions.get(key)
        if definition is None:
            problems[key] = [f"Unknown custom field for {model}."]
            continue
        try:
            cleaned[key] = _custom_value(definition, raw)
        except ValueError as exc:
            problems[key] = [str(exc)]
    if problems:
        raise HTTPError(400, {"error": True, "errors": {"custom_fields": problems}})
    return cleaned


def _custom_value(definition: Record, raw: Any) -> Any:
    if raw in (None, ""):
        return None
    kind = definition["field_type"]
    if kind == "number":
        try:
            number = float(raw) if not isinstance(raw, bool) else float("nan")
        except (TypeError, ValueError):
            number = float("nan")
        if number != number:
            raise ValueError("Enter a number.")
        return int(number) if number.is_integer() else number
    if kind == "checkbox":
        if not isinstance(raw, bool):
            raise ValueError("Must be true or false.")
        return raw
    if kind == "date":
        return date.fromisoformat(str(raw)).isoformat()
    if kind == "dropdown":
        options = {o["value"] for o in definition.get("options") or []}
        if str(raw) not in options:
            raise ValueError(f'"{raw}" is not one of the options.')
    return str(raw)
