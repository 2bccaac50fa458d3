"""The stub VNeID's people: loading, validating, and per-account failure counting."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

STATUSES = ("active", "locked", "revoked")
_ID_NUMBER = re.compile(r"^[0-9]{12}$")
_PASSCODE = re.compile(r"^[0-9]{6}$")
_PHONE_NUMBER = re.compile(r"0[0-9]{9}\Z")
_SOCIAL_INSURANCE_CODE = re.compile(r"^[0-9]{10}$")


class PersonaError(ValueError):
    """A persona record is invalid; the message names the field."""


@dataclass(frozen=True)
class Persona:
    """One synthetic person's VNeID account."""

    key: str
    id_number: str
    name: str
    birthdate: str
    sex: str
    level: int
    status: str
    password: str
    passcode: str
    social_insurance_code: str
    # The mobile number registered with the VNeID account, verified by VNeID; "" when none.
    # Released only for the `phone` scope (phone_number, phone_number_verified).
    phone_number: str = ""

    @classmethod
    def from_record(cls, record: Any) -> Persona:
        """Build a persona from a JSON object, refusing anything of the wrong shape."""
        if not isinstance(record, dict):
            raise PersonaError("persona: must be an object")
        names = set(cls.__dataclass_fields__)
        unknown = set(record) - names
        if unknown:
            raise PersonaError(f"{sorted(unknown)[0]}: unknown field")
        optional = {"phone_number"}
        missing = names - optional - set(record)
        if missing:
            raise PersonaError(f"{sorted(missing)[0]}: missing")
        for name in (names & set(record)) - {"level"}:
            if not isinstance(record[name], str):
                raise PersonaError(f"{name}: must be a string")
        persona = cls(**record)
        persona._validate()
        return persona

    def _validate(self) -> None:
        if not self.key:
            raise PersonaError("key: must not be empty")
        if not _ID_NUMBER.match(self.id_number):
            raise PersonaError("id_number: must be exactly 12 digits (as a string)")
        if not _PASSCODE.match(self.passcode):
            raise PersonaError("passcode: must be exactly 6 digits")
        if not _SOCIAL_INSURANCE_CODE.match(self.social_insurance_code):
            raise PersonaError("social_insurance_code: must be exactly 10 digits")
        if self.level not in (1, 2) or isinstance(self.level, bool):
            raise PersonaError("level: must be 1 or 2")
        if self.status not in STATUSES:
            raise PersonaError(f"status: must be one of {STATUSES}")
        if not self.password:
            raise PersonaError("password: must not be empty")
        if self.phone_number and not _PHONE_NUMBER.match(self.phone_number):
            raise PersonaError("phone_number: must be a 10-digit Vietnamese mobile number "
                               "starting with 0, or absent")
        try:
            date.fromisoformat(self.birthdate)
        except ValueError as exc:
            raise PersonaError("birthdate: must be YYYY-MM-DD") from exc

    def as_record(self) -> dict[str, Any]:
        """The JSON object this persona was (or could be) loaded from."""
        return asdict(self)


def load_personas(path: Path) -> list[Persona]:
    """Read a personas file: `{"personas": [ {...}, ... ]}`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    records = data.get("personas") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise PersonaError(f"{path}: expected an object with a 'personas' list")
    personas = []
    for index, record in enumerate(records):
        try:
            personas.append(Persona.from_record(record))
        except PersonaError as exc:
            raise PersonaError(f"{path}: personas[{index}].{exc}") from exc
    return personas


class PersonaStore:
    """The personas in play, indexed by ID number, with failed attempts counted per account."""

    def __init__(self, initial: list[Persona]) -> None:
        self._initial = list(initial)
        self._by_id: dict[str, Persona] = {}
        self._failures: dict[str, int] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the personas the store started with; all failure counts cleared."""
        self._by_id = {}
        for persona in self._initial:
            self.put(persona)
        self._failures = {}

    def put(self, persona: Persona) -> None:
        """Add a persona or replace the one with the same key or ID number."""
        for existing in list(self._by_id.values()):
            if existing.key == persona.key or existing.id_number == persona.id_number:
                del self._by_id[existing.id_number]
                self._failures.pop(existing.id_number, None)
        self._by_id[persona.id_number] = persona

    def remove(self, key: str) -> bool:
        """Remove the persona with this key; whether there was one."""
        for persona in list(self._by_id.values()):
            if persona.key == key:
                del self._by_id[persona.id_number]
                self._failures.pop(persona.id_number, None)
                return True
        return False

    def all(self) -> list[Persona]:
        """Every persona, in insertion order."""
        return list(self._by_id.values())

    def by_id_number(self, id_number: str) -> Persona | None:
        """The persona holding this ID number, if any."""
        return self._by_id.get(id_number)

    def failures(self, id_number: str) -> int:
        """How many wrong passwords/passcodes this account has had since its last success."""
        return self._failures.get(id_number, 0)

    def record_failure(self, id_number: str, threshold: int | None) -> Persona:
        """Count a wrong password or passcode; lock the account at the threshold (None = never)."""
        count = self._failures.get(id_number, 0) + 1
        self._failures[id_number] = count
        persona = self._by_id[id_number]
        if threshold is not None and count >= threshold and persona.status == "active":
            persona = replace(persona, status="locked")
            self._by_id[id_number] = persona
        return persona

    def record_success(self, id_number: str) -> None:
        """A complete login clears the account's failure count."""
        self._failures.pop(id_number, None)
