"""A form generated from a tool's argument schema (its pydantic args model), and reading it back.

Numbers, whole numbers, text, yes/no and choices get their own inputs; anything else (lists,
objects) is edited as JSON. Only the arguments that changed are sent as the edit, merged over the
proposed ones by the runtime, which checks them against the schema and the policy again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

PREFIX = "arg."


class FormError(ValueError):
    """A field that cannot be read as its type; the message names it."""


@dataclass
class Field:
    name: str
    kind: str  # number | integer | text | boolean | choice | json
    value: str
    required: bool
    description: str
    choices: tuple[str, ...] = ()

    @property
    def input_name(self) -> str:
        return PREFIX + self.name


def _kind(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    one = options[0] if len(options) == 1 else {}
    if "$ref" in one:
        one = defs.get(one["$ref"].rsplit("/", 1)[-1], {})
    if "enum" in one:
        return "choice", tuple(str(x) for x in one["enum"])
    kinds = {s.get("type") for s in options}
    if kinds <= {"number", "integer", "string"} and "number" in kinds:
        return "number", ()  # a Decimal is number-or-string in the schema
    return {"integer": "integer", "number": "number", "string": "text", "boolean": "boolean"}.get(
        str(one.get("type")), "json"), ()


def _shown(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "json":
        return json.dumps(value, indent=1, default=str)
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


def fields_for(model: type[BaseModel], proposed: dict[str, Any], sent: Any = None) -> list[Field]:
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        kind, choices = _kind(prop, defs)
        value = str(sent.get(PREFIX + name, "")) if sent is not None else _shown(kind, proposed.get(name))
        out.append(Field(name=name, kind=kind, value=value, required=name in required,
                         description=str(prop.get("description") or ""), choices=choices))
    return out


def _read(field: Field, raw: str) -> Any:
    text = raw.strip()
    if text == "":
        return None
    try:
        if field.kind == "integer":
            return int(text)
        if field.kind == "number":
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
            return int(number) if number == number.to_integral_value() and "." not in text else float(number)
        if field.kind == "boolean":
            if text not in ("true", "false"):
                raise ValueError
            return text == "true"
        if field.kind == "json":
            return json.loads(text)
    except (ValueError, InvalidOperation, json.JSONDecodeError) as exc:
        raise FormError(f"args.{field.name}: {raw!r} is not a valid {field.kind}") from exc
    return text


def parse(model: type[BaseModel], proposed: dict[str, Any], form: Any) -> dict[str, Any]:
    """The arguments that differ from the proposed ones (FormError naming a field that cannot be read)."""
    changed: dict[str, Any] = {}
    for field in fields_for(model, proposed):
        if field.input_name not in form:
            continue
        value = _read(field, str(form.get(field.input_name)))
        if value is None and proposed.get(field.name) is None:
            continue
        if value != proposed.get(field.name) or (field.kind == "number" and str(value) != str(proposed.get(field.name))):
            changed[field.name] = value
    if not changed:
        raise FormError("args: nothing was changed; approve the call as it is instead")
    return changed
