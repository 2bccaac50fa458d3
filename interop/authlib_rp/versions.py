"""The app version gate: VssID below the minimum may not log in with VNeID.

Numeric per dot component, missing components are 0 (``1.6`` = ``1.6.0``), a pre-release
sorts below its release (``1.6.7-beta`` < ``1.6.7``, pre-release identifiers ordered as in
SemVer §11), build metadata (``+...``) is ignored, and the minimum itself is allowed.
Anything else (empty, letters, ``1..6``, absurdly long) is unparsable and refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 64
_VERSION = re.compile(
    r"(?P<release>\d{1,9}(?:\.\d{1,9}){0,5})"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")


@dataclass(frozen=True)
class Version:
    release: tuple[int, ...]
    pre: tuple[str, ...]  # empty: a release

    def _padded(self, width: int) -> tuple[int, ...]:
        return self.release + (0,) * (width - len(self.release))

    def compare(self, other: Version) -> int:
        """-1, 0 or 1 as self is below, equal to or above other."""
        width = max(len(self.release), len(other.release))
        mine, theirs = self._padded(width), other._padded(width)
        if mine != theirs:
            return -1 if mine < theirs else 1
        if self.pre == other.pre:
            return 0
        if not self.pre:  # a release is above any of its pre-releases
            return 1
        if not other.pre:
            return -1
        for a, b in zip(self.pre, other.pre, strict=False):
            if a == b:
                continue
            return -1 if _pre_key(a) < _pre_key(b) else 1
        return -1 if len(self.pre) < len(other.pre) else 1


def _pre_key(identifier: str) -> tuple[int, int, str]:
    # Numeric identifiers compare as numbers and sort below alphanumeric ones.
    if identifier.isdigit():
        return (0, int(identifier), "")
    return (1, 0, identifier)


def parse(text: object) -> Version | None:
    """The version in `text`, or None when it is not one."""
    if not isinstance(text, str) or not text or len(text) > MAX_LENGTH:
        return None
    match = _VERSION.fullmatch(text)
    if match is None or not text.isascii():
        return None
    pre = tuple(match["pre"].split(".")) if match["pre"] else ()
    return Version(tuple(int(part) for part in match["release"].split(".")), pre)


def allowed(version: object, minimum: str, *, as_text: bool = False) -> bool:
    """Whether `version` may log in with VNeID (inclusive `minimum`).

    `as_text` is the `version_as_text` defect: the same parsing, but the two strings are
    compared character by character, so "1.6.10" < "1.6.7".
    """
    parsed, floor = parse(version), parse(minimum)
    if parsed is None or floor is None:
        return False
    if as_text:
        return str(version) >= minimum
    return parsed.compare(floor) >= 0
