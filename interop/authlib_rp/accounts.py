"""The VssID account book: who has an account, in which state, and how an ID is shown."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

STATUSES = ("active", "pending", "locked")
_ID_NUMBER = re.compile(r"[0-9]{12}")
MASK = "\u2022"  # •


class AccountsError(ValueError):
    """The accounts file is unusable; the message says where."""


@dataclass(frozen=True)
class Account:
    id_number: str
    name: str
    social_insurance_code: str
    status: str


def is_id_number(value: object) -> bool:
    """Exactly 12 ASCII digits, kept as a string (leading zeros are part of it)."""
    return isinstance(value, str) and _ID_NUMBER.fullmatch(value) is not None


def mask_id_number(id_number: str) -> str:
    """``084190012345`` → ``084•••••••45``: the first 3 digits, 7 dots, the last 2."""
    return id_number[:3] + MASK * 7 + id_number[-2:]


class AccountBook:
    def __init__(self, accounts: list[Account]) -> None:
        self._by_id = {a.id_number: a for a in accounts}
        self._accounts = tuple(accounts)

    @classmethod
    def load(cls, path: Path) -> AccountBook:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as problem:
            raise AccountsError(f"{path}: not readable JSON ({type(problem).__name__})") \
                from None
        entries = document.get("accounts") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise AccountsError(f'{path}: expected {{"accounts": [...]}}')
        accounts = []
        for index, entry in enumerate(entries):
            where = f"{path}: accounts[{index}]"
            if not isinstance(entry, dict):
                raise AccountsError(f"{where} is not an object")
            for key in ("id_number", "name", "social_insurance_code", "status"):
                if not isinstance(entry.get(key), str) or not entry[key]:
                    raise AccountsError(f"{where}.{key}: missing or not a string")
            if not is_id_number(entry["id_number"]):
                raise AccountsError(f"{where}.id_number: not 12 digits")
            if entry["status"] not in STATUSES:
                raise AccountsError(f"{where}.status: one of {', '.join(STATUSES)}")
            if any(a.id_number == entry["id_number"] for a in accounts):
                raise AccountsError(f"{where}.id_number: listed twice")
            accounts.append(Account(entry["id_number"], entry["name"],
                                    entry["social_insurance_code"], entry["status"]))
        return cls(accounts)

    def by_id_number(self, id_number: str) -> Account | None:
        return self._by_id.get(id_number)

    def by_name(self, name: object) -> Account | None:
        """Only the `link_by_name` defect looks people up this way (a name is not a person)."""
        return next((a for a in self._accounts if a.name == name), None)
