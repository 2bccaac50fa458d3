"""How both stubs read and compare app versions for their version gates (N-VER-1, N-VER-2,
APP-08): numeric dot-separated components, an optional pre-release, build metadata ignored.

The kit reads versions with its own reader (fixtures/versions.py), independent of this one on
purpose; tests/kit/test_contracts.py holds the two to one corpus, bounds included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

MAX_LENGTH = 64
# ASCII digits only (\d would take any script's digits); at most six components of nine
# digits, and MAX_LENGTH characters in all, so a hostile value cannot make comparing slow.
_VERSION = re.compile(
    r"(?P<core>[0-9]{1,9}(?:\.[0-9]{1,9}){0,5})"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)


class UnparsableVersion(ValueError):
    """A version string that is no version (see the module's grammar)."""


def _identifier_key(identifier: str) -> tuple[int, int, str]:
    # Numeric identifiers sort numerically and before alphanumeric ones (semver §11.4).
    if identifier.isdigit():
        return (0, int(identifier), "")
    return (1, 0, identifier)


@total_ordering
@dataclass(frozen=True)
class AppVersion:
    """A parsed app version: numeric components and optional pre-release identifiers.
    Missing components count as 0 (1.6 == 1.6.0); a release sorts above its pre-releases."""

    core: tuple[int, ...]
    prerelease: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> AppVersion:
        """`1.6`, `2.1.0`, `1.6.7-beta.2`, `2.1.0+build5`; UnparsableVersion for anything else."""
        parsed = parse_version(text)
        if parsed is None:
            raise UnparsableVersion(text)
        return parsed

    def _key(self, width: int) -> tuple:
        padded = self.core + (0,) * (width - len(self.core))
        pre = (1,) if not self.prerelease else (0, *(_identifier_key(p) for p in self.prerelease))
        return padded, pre

    def compare(self, other: AppVersion) -> int:
        """-1, 0 or 1 as self is below, equal to or above other."""
        return (self > other) - (self < other)

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


def parse_version(text: str | None) -> AppVersion | None:
    """The version `text` spells, or None when it is absent or no version."""
    if not text or len(text) > MAX_LENGTH:
        return None
    match = _VERSION.fullmatch(text)
    if match is None:
        return None
    core = tuple(int(part) for part in match["core"].split("."))
    pre = tuple(match["pre"].split(".")) if match["pre"] else ()
    return AppVersion(core, pre)


def meets_minimum(version_text: str | None, minimum_text: str, *, as_strings: bool = False,
                  exclusive: bool = False) -> bool:
    """Whether an app version is allowed: at least the minimum; no version never is. The two
    flags exist only for the stubs' defect switches (compare as text; the minimum refused)."""
    if as_strings:
        if not version_text:
            return False
        return version_text > minimum_text if exclusive else version_text >= minimum_text
    version, minimum = parse_version(version_text), parse_version(minimum_text)
    if version is None or minimum is None:
        return False
    return version > minimum if exclusive else version >= minimum
