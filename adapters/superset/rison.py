"""Rison, the compact URI-friendly JSON that Superset's list endpoints read from `q`.

Only encoding is needed here: dicts, lists, strings, numbers, booleans and None. Strings that
are valid Rison ids stay bare (`abc`), others are quoted with `'`, escaping `'` and `!` with `!`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

# A Rison id may not contain these characters, nor start with a digit or '-'.
_NOT_ID_CHARS = " '!:(),*@$"
_ID = re.compile(r"^[^-0-9" + re.escape(_NOT_ID_CHARS) + r"][^" + re.escape(_NOT_ID_CHARS) + r"]*$")


def dumps(value: Any) -> str:
    """The Rison text of `value`; raises TypeError for anything not JSON-like."""
    if value is None:
        return "!n"
    if value is True:
        return "!t"
    if value is False:
        return "!f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"rison cannot encode {value!r}")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"rison object keys must be strings, not {type(key).__name__}")
            items.append(f"{_string(key)}:{dumps(item)}")
        return "(" + ",".join(items) + ")"
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return "!(" + ",".join(dumps(item) for item in value) + ")"
    raise TypeError(f"rison cannot encode {type(value).__name__}")


def _string(text: str) -> str:
    if _ID.match(text):
        return text
    return "'" + text.replace("!", "!!").replace("'", "!'") + "'"
