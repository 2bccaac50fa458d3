"""Target files: the default loads; every kind of mistake gets one line naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.config import DEFAULT_TARGET, TargetFileError, load_target

VALID_PERSONA = """
[[persona]]
key = "a"
id_number = "084190012345"
name = "Nguyễn Thị Thu Hà"
password = "x"
passcode = "123456"
level = 2
"""


def test_embedded_target_loads_with_every_oracle_state():
    target = load_target(DEFAULT_TARGET)
    assert target.rp.kind == target.idp.kind == "embedded"
    states = {(p.level, p.vneid_status, p.vssid_account) for p in target.persona}
    assert {level for level, _, _ in states} == {1, 2}
    assert {status for _, status, _ in states} == {"active", "locked", "revoked"}
    assert {account for _, _, account in states} == {"none", "pending", "active", "locked"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('name = 1', "key name: Expected `str`, got `int`"),
        ('name = "x"\n[rp]\nkind = "weird"', "key rp.kind: Invalid enum value 'weird'"),
        ('name = "x"\n[rp]\nkind = "external"', "key rp.url: required when"),
        ('name = "x"\ncolour = "blue"', "key colour: unknown key"),
        ('name = "x"\n[idp]\nissuer = "https://x"', "key idp.issuer: unknown key"),
        ('[rp]\nkind = "embedded"', "missing required field `name`"),
        ('name = "x"' + VALID_PERSONA.replace('"084190012345"', '"84190012345"'),
         "key persona[0].id_number: expected 12 digits"),
        ('name = "x"' + VALID_PERSONA + VALID_PERSONA, "key persona[1].key: 'a' is used twice"),
        ('name = "x"' + VALID_PERSONA.replace("level = 2", "level = 3"),
         "key persona[0].level"),
        ("name = [", "not valid TOML"),
    ],
)
def test_a_bad_target_file_is_named_with_what_to_fix(tmp_path: Path, body: str, expected: str):
    path = tmp_path / "target.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TargetFileError) as caught:
        load_target(path)
    message = str(caught.value)
    assert message.startswith(f"target file {path}: ")
    assert expected in message
    assert "\n" not in message


def test_a_missing_target_file_says_so(tmp_path: Path):
    with pytest.raises(TargetFileError, match=r"no such file"):
        load_target(tmp_path / "absent.toml")
