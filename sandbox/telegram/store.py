"""State of the Telegram stand-in: the chats that started the bot, the messages sent, the webhook."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

from sandbox.persist import file_lock, read_state, write_state

COLLECTIONS = ("chats", "messages", "callback_answers")


def _empty() -> dict[str, Any]:
    return {"chats": [], "messages": [], "callback_answers": [], "webhook": None, "next_message_id": 1}


def demo_seed() -> dict[str, Any]:
    """Private chats of the demo tenant's linked people (see the Brain's demo Telegram links)."""
    return {"chats": [
        {"id": 700001, "first_name": "Alex", "username": "alex_owner"},
        {"id": 700002, "first_name": "Maria", "username": "maria_ops"},
        {"id": 700003, "first_name": "Sam", "username": "sam_sales"},
        {"id": 700004, "first_name": "Rose", "username": "grandma_rose"},
        {"id": 700005, "first_name": "Dan", "username": "dan_family"},
        {"id": 700006, "first_name": "Priya", "username": "priya_customer"},
        {"id": 700007, "first_name": "George", "username": "grandpa_george"},
        {"id": 700008, "first_name": "Rita", "username": "aunt_rita"},
        {"id": 700009, "first_name": "Anna", "username": "anna_m"},
        {"id": 700010, "first_name": "Jake", "username": "jake_m"},
        {"id": 700011, "first_name": "Sunita", "username": "sunita_r"},
        {"id": 700012, "first_name": "Lee", "username": "lee_wholesale"},
        {"id": 700020, "first_name": "Casa Verde", "username": "casaverde_owner"},
        {"id": 700021, "first_name": "Sol Foods", "username": "solfoods_owner"},
        {"id": 700022, "first_name": "Glow Salon", "username": "glowsalon_owner"},
        {"id": 700023, "first_name": "Beanbar", "username": "beanbar_owner"},
        {"id": 700024, "first_name": "Sunrise Bakery", "username": "sunrisebakery"},
        {"id": 700025, "first_name": "Ravi's Kitchen", "username": "ravis_kitchen"},
        {"id": 700026, "first_name": "Peak Fitness", "username": "peakfitness"},
    ]}


class TelegramStore:
    """One bot's state. With `persist_path` every change is written through to that JSON file."""

    def __init__(self, persist_path: Path | None = None) -> None:
        self.persist_path = persist_path
        self._state = _empty()

    def _load(self) -> dict[str, Any]:
        stored = read_state(self.persist_path)
        if stored is not None:
            self._state = stored
        return self._state

    def _save(self) -> None:
        if self.persist_path is not None:
            write_state(self.persist_path, self._state)

    def reset(self) -> None:
        with file_lock(self.persist_path):
            self._state = _empty()
            self._save()

    def seed(self, data: dict[str, Any]) -> None:
        unknown = set(data) - set(COLLECTIONS)
        if unknown:
            raise KeyError(f"the Telegram sandbox has no collection {sorted(unknown)[0]!r}")
        with file_lock(self.persist_path):
            state = self._load()
            for name, rows in data.items():
                for row in rows:
                    if name == "chats" and not isinstance(row.get("id"), int):
                        raise ValueError(f"chats: every chat needs an integer id, got {row!r}")
                    state[name].append(dict(row))
            self._save()

    def dump(self) -> dict[str, Any]:
        with file_lock(self.persist_path):
            state = copy.deepcopy(self._load())
        return {name: state[name] for name in COLLECTIONS}

    def chat(self, chat_id: int) -> dict[str, Any] | None:
        with file_lock(self.persist_path):
            return next((c for c in self._load()["chats"] if c["id"] == chat_id), None)

    def add_message(self, chat_id: int, text: str, reply_markup: Any, silent: bool) -> dict[str, Any]:
        with file_lock(self.persist_path):
            state = self._load()
            message = {"message_id": state["next_message_id"], "chat_id": chat_id, "date": int(time.time()),
                       "text": text, "reply_markup": reply_markup, "silent": silent}
            state["next_message_id"] += 1
            state["messages"].append(message)
            self._save()
            return dict(message)

    def edit_markup(self, chat_id: int, message_id: int, reply_markup: Any) -> dict[str, Any] | None:
        with file_lock(self.persist_path):
            state = self._load()
            message = next((m for m in state["messages"] if m["chat_id"] == chat_id and m["message_id"] == message_id), None)
            if message is not None:
                message["reply_markup"] = reply_markup
                self._save()
                return dict(message)
            return None

    def answer_callback(self, query_id: str, text: str | None) -> None:
        with file_lock(self.persist_path):
            self._load()["callback_answers"].append({"id": query_id, "text": text})
            self._save()

    def set_webhook(self, url: str | None, secret_token: str | None) -> None:
        with file_lock(self.persist_path):
            self._load()["webhook"] = {"url": url, "secret_token": secret_token} if url else None
            self._save()
