"""The one shape of a seeded defect, for both stubs: a switch that breaks one requirement.

Each stub lists its defects in one `DefectCatalogue` (stubs/vneid/defects.py,
stubs/vssid/defects.py); its README table, its config's check of `defects = [...]`, the kit's
self-check (tests/selfcheck) and the control plane's `GET …/defects` are all read from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from stubs.settings import ConfigError


@dataclass(frozen=True)
class Defect:
    """One defect switch: its config name, the requirement it breaks and what it does."""

    name: str
    requirement: str
    effect: str
    # Set when the defect misses only a recommendation of its requirement (a SHOULD): the
    # recommendation's key ("IDP-14/405"); the requirement then reads "passed with warnings".
    recommendation: str | None = None


class DefectCatalogue:
    """Every defect of one stub, by name."""

    def __init__(self, stub: str, defects: Iterable[Defect]) -> None:
        self.stub = stub
        self._by_name: dict[str, Defect] = {}
        for defect in defects:
            if defect.name in self._by_name:
                raise ValueError(f"{stub}: defect {defect.name!r} listed twice")
            self._by_name[defect.name] = defect

    def __iter__(self) -> Iterator[Defect]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Defect:
        return self._by_name[name]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._by_name)

    def unknown(self, names: Iterable[str]) -> list[str]:
        """The names of `names` that are no defect of this stub, sorted."""
        return sorted(set(names) - self.names)

    def check_config(self, names: Iterable[str], readme: str) -> None:
        """A config's `defects = [...]`: a ConfigError naming every unknown one and where the
        list is (`readme`)."""
        unknown = self.unknown(names)
        if unknown:
            raise ConfigError(f"defects: unknown defect name(s) {unknown}; see {readme}")

    def require(self, name: str) -> str:
        """`name`, if it is a defect of this stub; a code path asking for a misspelt defect is
        the stub's bug, so it fails loudly instead of never switching on."""
        if name not in self._by_name:
            raise KeyError(f"{self.stub} has no defect {name!r}")
        return name
