"""Targets the kit's own tests build: the embedded target with fields replaced, as a file.

Every change is a field of the target struct (fixtures/config.py), never an edit of the
embedded file's text, so how that file is laid out carries nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from fixtures.config import DEFAULT_TARGET, Target, dump_target, load_target

replace = msgspec.structs.replace


def embedded_target(*, vssid_defects: Sequence[str] = (), vneid_defects: Sequence[str] = (),
                    profile: Mapping[str, Any] | None = None, rp: Mapping[str, Any] | None = None,
                    idp: Mapping[str, Any] | None = None) -> Target:
    """The embedded target, with defects switched on and fields of its sections replaced."""
    target = load_target(DEFAULT_TARGET)
    return replace(
        target,
        embedded=replace(target.embedded,
                         vssid_defects=[*target.embedded.vssid_defects, *vssid_defects],
                         vneid_defects=[*target.embedded.vneid_defects, *vneid_defects]),
        profile=replace(target.profile, **(profile or {})),
        rp=replace(target.rp, **(rp or {})), idp=replace(target.idp, **(idp or {})))


def write_target(target: Target, path: Path) -> Path:
    """Write `target` as a target file at `path`, checked to read back as the same target."""
    path.write_text(dump_target(target), encoding="utf-8")
    if load_target(path) != target:
        raise AssertionError(f"{path} does not read back as the target it was written from")
    return path
