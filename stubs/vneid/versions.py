"""Comparison of app versions the way the notice's version gates require (APP-08)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# ASCII digits only (\\d takes any script's digits), at most 6 components of 9 digits.
_VERSION = re.compile(
    r"(?P<core>[0-9]{1,9}(?:\.[0-9]{1,9}){0,5})(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)


class UnparsableVersion(ValueError):
    """A version string that is not numeric dot-separated components (with optional suffixes)."""


@dataclass(frozen=True)
class AppVersion:
    """A parsed version: numeric core, optional pre-release identifiers, build metadata dropped."""

    core: tuple[int, ...]
    pre_release: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> AppVersion:
        """Parse `1.6`, `2.1.0`, `1.6.7-beta.2`, `2.1.0+build5`; anything else is unparsable."""
        match = _VERSION.fullmatch(text) if len(text) <= 64 else None
        if match is None:
            raise UnparsableVersion(text)
        core = tuple(int(part) for part in match["core"].split("."))
        pre = tuple(match["pre"].split(".")) if match["pre"] else ()
        return cls(core, pre)

    def _key(self, width: int) -> tuple:
        # Missing components count as 0, so 1.6 == 1.6.0.
        padded = self.core + (0,) * (width - len(self.core))
        # A release sorts above every pre-release of the same core.
        pre = (1,) if not self.pre_release else (0, *(_identifier_key(i) for i in self.pre_release))
        return (padded, pre)

    def compare(self, other: AppVersion) -> int:
        """-1, 0 or 1 as self is below, equal to or above other."""
        width = max(len(self.core), len(other.core))
        mine, theirs = self._key(width), other._key(width)
        return (mine > theirs) - (mine < theirs)


def _identifier_key(identifier: str) -> tuple[int, int, str]:
    # Semantic versioning: numeric identifiers sort below alphanumeric ones, numerically.
    if identifier.isdigit():
        return (0, int(identifier), "")
    return (1, 0, identifier)


def meets_minimum(installed: str, minimum: str) -> bool:
    """Whether an installed version is at least the minimum; unparsable never meets it."""
    try:
        return AppVersion.parse(installed).compare(AppVersion.parse(minimum)) >= 0
    except UnparsableVersion:
        return False
