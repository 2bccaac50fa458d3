"""App version parsing and the minimum-version gate (APP-08, N-VER-2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

# ASCII digits only (\\d would take any script's digits), bounded so that a hostile
# value cannot make the comparison expensive.
_VERSION = re.compile(
    r"^(?P<core>[0-9]{1,9}(?:\.[0-9]{1,9}){0,5})"
    r"(?:-(?P<pre>[0-9A-Za-z-]{1,32}(?:\.[0-9A-Za-z-]{1,32}){0,7}))?"
    r"(?:\+[0-9A-Za-z-]{1,64}(?:\.[0-9A-Za-z-]{1,64})*)?$"
)


@total_ordering
@dataclass(frozen=True)
class AppVersion:
    """A parsed app version: numeric components and optional pre-release identifiers."""

    core: tuple[int, ...]
    prerelease: tuple[str, ...] = ()

    def _key(self, width: int) -> tuple:
        padded = self.core + (0,) * (width - len(self.core))
        # A release sorts after every pre-release of the same core (semver §11).
        pre = (1,) if not self.prerelease else (0, *(_identifier_key(p) for p in self.prerelease))
        return padded, pre

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AppVersion):
            return NotImplemented
        width = max(len(self.core), len(other.core))
        return self._key(width) == other._key(width)

    def __lt__(self, other: AppVersion) -> bool:
        width = max(len(self.core), len(other.core))
        return self._key(width) < other._key(width)

    def __hash__(self) -> int:
        core = list(self.core)
        while core and core[-1] == 0:
            core.pop()
        return hash((tuple(core), self.prerelease))


def _identifier_key(identifier: str) -> tuple[int, int, str]:
    # Numeric identifiers sort numerically and before alphanumeric ones (semver §11.4).
    if identifier.isdigit():
        return (0, int(identifier), "")
    return (1, 0, identifier)


def parse_version(text: str | None) -> AppVersion | None:
    """Parse "1.6.7", "1.6", "1.6.7-beta", "1.6.7+42"; None when absent or unparsable."""
    if not text or len(text) > 64:
        return None
    match = _VERSION.fullmatch(text)
    if match is None:
        return None
    core = tuple(int(part) for part in match["core"].split("."))
    pre = tuple(match["pre"].split(".")) if match["pre"] else ()
    return AppVersion(core, pre)


def meets_minimum(
    version_text: str | None,
    minimum_text: str,
    *,
    as_strings: bool = False,
    exclusive: bool = False,
) -> bool:
    """Whether an app version is allowed; the two flags exist only for defect switches."""
    if as_strings:
        if not version_text:
            return False
        return version_text > minimum_text if exclusive else version_text >= minimum_text
    version = parse_version(version_text)
    minimum = parse_version(minimum_text)
    if version is None or minimum is None:
        return False
    return version > minimum if exclusive else version >= minimum
