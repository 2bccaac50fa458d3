"""The VssID account book: lookup by verified ID number or by social insurance code."""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

# ASCII digits only: \d would also accept other scripts' digits.
ID_NUMBER = re.compile(r"^[0-9]{12}\Z")
SOCIAL_INSURANCE_CODE = re.compile(r"^[0-9]{10}\Z")


class AccountStatus(StrEnum):
    """Where a VssID account stands."""

    ACTIVE = "active"
    PENDING = "pending"
    LOCKED = "locked"


@dataclass(frozen=True)
class Account:
    """One VssID account, linked to a person by their 12-digit ID number."""

    id_number: str
    social_insurance_code: str
    name: str
    status: AccountStatus
    password: str = field(repr=False)
    phone: str = ""

    def password_matches(self, candidate: str) -> bool:
        """Constant-time password comparison."""
        return hmac.compare_digest(self.password.encode(), candidate.encode())


class AccountFileError(ValueError):
    """The accounts file is unreadable or malformed; the message says where."""


class AccountBook:
    """All VssID accounts, indexed by ID number and social insurance code."""

    def __init__(self, accounts: list[Account]) -> None:
        self._by_id_number = {a.id_number: a for a in accounts}
        self._by_code = {a.social_insurance_code: a for a in accounts}
        self._all = tuple(accounts)

    @classmethod
    def from_file(cls, path: Path) -> AccountBook:
        """Load the accounts JSON ({"accounts": [...]})."""
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AccountFileError(f"accounts_file {path}: {exc}") from exc
        rows = document.get("accounts") if isinstance(document, dict) else None
        if not isinstance(rows, list):
            raise AccountFileError(f"accounts_file {path}: expected {{'accounts': [...]}}")
        accounts = []
        for index, row in enumerate(rows):
            try:
                account = Account(
                    id_number=str(row["id_number"]),
                    social_insurance_code=str(row["social_insurance_code"]),
                    name=str(row["name"]),
                    status=AccountStatus(row["status"]),
                    password=str(row["password"]),
                    phone=str(row.get("phone", "")),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise AccountFileError(f"accounts_file {path}: account #{index}: {exc!r}") from exc
            if not ID_NUMBER.fullmatch(account.id_number):
                raise AccountFileError(f"accounts_file {path}: account #{index}: bad id_number")
            if not SOCIAL_INSURANCE_CODE.fullmatch(account.social_insurance_code):
                raise AccountFileError(
                    f"accounts_file {path}: account #{index}: bad social_insurance_code"
                )
            accounts.append(account)
        return cls(accounts)

    def by_id_number(self, id_number: str) -> Account | None:
        """The account linked to a verified 12-digit ID number."""
        return self._by_id_number.get(id_number)

    def by_username(self, username: str) -> Account | None:
        """The account for a password-login username: 10-digit code or 12-digit ID number."""
        if SOCIAL_INSURANCE_CODE.fullmatch(username):
            return self._by_code.get(username)
        if ID_NUMBER.fullmatch(username):
            return self._by_id_number.get(username)
        return None

    def by_name(self, name: str) -> Account | None:
        """First account with this display name (only for the link_by_name defect)."""
        return next((a for a in self._all if a.name == name), None)

    def by_phone(self, phone: str) -> Account | None:
        """First account with this phone number (only for the link_by_phone defect)."""
        return next((a for a in self._all if phone and a.phone == phone), None)


def mask_id_number(id_number: str, prefix: int, suffix: int) -> str:
    """Show the first and last digits of an ID number, the rest as '*'."""
    if len(id_number) <= prefix + suffix:
        return "*" * len(id_number)
    hidden = len(id_number) - prefix - suffix
    return id_number[:prefix] + "*" * hidden + id_number[len(id_number) - suffix:]
