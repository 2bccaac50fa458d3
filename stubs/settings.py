"""How both stubs read their configuration: a frozen msgspec struct, from TOML and keywords.

The harness reads its target file the same way (fixtures/config.py): typed fields, unknown
keys refused, and every error naming the key to fix. A stub's config class derives from
`Settings`, checks what types cannot say in `__post_init__` (raising `ConfigError` with the key
first) and is built with `load_settings`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import msgspec


class ConfigError(ValueError):
    """A configuration value is missing, unknown or invalid; the message names the key."""


class _Redacted:
    """Stands for a secret in a repr."""

    def __repr__(self) -> str:
        return "[redacted]"


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The base of a stub's configuration: typed, immutable, unknown keys refused; the fields
    named in `secret_fields` never show in a repr (a config ends up in tracebacks and reports).
    """

    secret_fields: ClassVar[frozenset[str]] = frozenset()

    def _shown_fields(self) -> Iterator[tuple[str, Any]]:
        """Each field and its value, a set secret replaced by `[redacted]`."""
        for name in self.__struct_fields__:
            value = getattr(self, name)
            hidden = name in self.secret_fields and value is not None
            yield name, _Redacted() if hidden else value

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self._shown_fields())
        return f"{type(self).__name__}({shown})"

    def __rich_repr__(self) -> Iterator[tuple[str, Any]]:
        yield from self._shown_fields()


def set_field(settings: Settings, name: str, value: Any) -> None:
    """Normalise one field in `__post_init__` (a frozen struct refuses plain assignment)."""
    msgspec.structs.force_setattr(settings, name, value)


S = TypeVar("S", bound=Settings)

_AT = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<where>[^`]*)`)?$", re.S)
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<key>[^`]+)`")
_MISSING = re.compile(r"Object missing required field `(?P<key>[^`]+)`")


def _as_path(kind: type, value: Any) -> Any:
    """msgspec's hook for the one type it does not know: a path, given as a string."""
    if kind is Path and isinstance(value, str | Path):
        return Path(value)
    raise TypeError(f"expected a path string, got {type(value).__name__}")


def _explained(error: msgspec.ValidationError) -> str:
    """msgspec's "Expected `int`, got `str` - at `$.clients[0].x`" as "clients[0].x: expected
    `int`, got `str`" (the key first, as every error of the stubs' configs reads)."""
    match = _AT.match(str(error))
    what, where = match["what"], (match["where"] or "").lstrip(".")
    for pattern, words in ((_UNKNOWN, "unknown setting"),
                           (_MISSING, "required setting is missing")):
        found = pattern.fullmatch(what)
        if found:
            key = f"{where}.{found['key']}" if where else found["key"]
            return f"{key}: {words}"
    if where:
        return f"{where}: {what[:1].lower()}{what[1:]}"
    return what


def settings_from(kind: type[S], values: Mapping[str, Any]) -> S:
    """A config built from plain values (TOML tables, keywords), errors naming the key."""
    try:
        return msgspec.convert(dict(values), kind, dec_hook=_as_path)
    except msgspec.ValidationError as exc:
        raise ConfigError(_explained(exc)) from None


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's tables, or a ConfigError saying why it cannot be read."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


def load_settings(kind: type[S], path: Path | None = None, *, table: str | None = None,
                  relative_paths: Iterable[str] = (), overrides: Mapping[str, Any] = {},
                  ) -> S:
    """Build a stub's config: the TOML file's keys (or its `[table]`, when it has one), then
    the overrides on top (a None override is no override). Paths named in `relative_paths` are
    relative to the file that gives them, not to the working directory."""
    values: dict[str, Any] = {}
    if path is not None:
        document = read_toml(Path(path))
        section = document.get(table, document) if table else document
        if not isinstance(section, dict):
            raise ConfigError(f"{table}: must be a table")
        for key in relative_paths:
            given = section.get(key)
            if isinstance(given, str) and not Path(given).is_absolute():
                section[key] = str(Path(path).parent / given)
        values.update(section)
    values.update({key: value for key, value in overrides.items() if value is not None})
    return settings_from(kind, values)


def replace_settings(config: S, **changes: Any) -> S:
    """A copy with some fields changed, checked as the loader checks them."""
    return settings_from(type(config), {**msgspec.structs.asdict(config), **changes})
