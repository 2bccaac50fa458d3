"""Version comparison for the VssID gate (APP-08): numeric, padded, pre-release below release."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stubs.versions import meets_minimum, parse_version

cores = st.lists(st.integers(0, 999), min_size=1, max_size=4)


def _text(core: list[int]) -> str:
    return ".".join(map(str, core))


@pytest.mark.parametrize(
    ("left", "right"),
    [("1.6", "1.6.0"), ("1.6.7", "1.6.7.0"), ("1.6.7+42", "1.6.7"), ("01.6.7", "1.6.7")],
)
def test_equal_versions(left: str, right: str) -> None:
    assert parse_version(left) == parse_version(right)
    assert hash(parse_version(left)) == hash(parse_version(right))


@pytest.mark.parametrize(
    ("lower", "higher"),
    [("1.6.7-beta", "1.6.7"), ("1.6.7-alpha", "1.6.7-beta"), ("1.6.7-beta.2", "1.6.7-beta.11"),
     ("1.6.7-1", "1.6.7-alpha"), ("1.6.9", "1.6.10"), ("1.6.6.9", "1.6.7"), ("1.6", "1.6.7")],
)
def test_ordering(lower: str, higher: str) -> None:
    assert parse_version(lower) < parse_version(higher)


@pytest.mark.parametrize("text", ["", "v1.6.7", "1..6", "1.6.", "1.6.7-", "abc", "1.6.7 beta",
                                  "1.6.7-be ta", "１.６.７", "9" * 200])
def test_unparsable_versions_are_refused(text: str) -> None:
    assert parse_version(text) is None
    assert meets_minimum(text, "1.6.7") is False


@given(core=cores, minimum=cores)
def test_gate_agrees_with_numeric_tuples(core: list[int], minimum: list[int]) -> None:
    width = max(len(core), len(minimum))
    padded = lambda c: tuple(c) + (0,) * (width - len(c))  # noqa: E731
    assert meets_minimum(_text(core), _text(minimum)) is (padded(core) >= padded(minimum))


@given(core=cores, pre=st.from_regex(r"[0-9A-Za-z-]{1,8}", fullmatch=True))
def test_prerelease_is_below_its_release_and_minimum_inclusive(core, pre) -> None:
    release = _text(core)
    assert meets_minimum(release, release) is True
    assert meets_minimum(f"{release}-{pre}", release) is False
    assert meets_minimum(f"{release}+build.{pre}", release) is True
