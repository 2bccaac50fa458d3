"""Target files: the default loads; every kind of mistake gets one line naming file and key."""

from __future__ import annotations

from pathlib import Path

import msgspec
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


@pytest.mark.parametrize("name", ["embedded.toml", "external-idp.example.toml"])
def test_a_target_written_back_reads_as_itself(name, tmp_path, monkeypatch):
    """dump_target is how the kit's tests build targets (a struct with fields replaced): the
    file it writes must load as the same target, whatever the source file's layout."""
    from fixtures.config import TARGETS_DIR, dump_target

    for variable in ("VNEID_KIT_CLIENT_SECRET", "VSSID_CLIENT_SECRET"):
        monkeypatch.setenv(variable, "example-secret")  # the secret stays in the environment
    source = load_target(TARGETS_DIR / name)
    copy = tmp_path / name
    copy.write_text(dump_target(source), encoding="utf-8")
    assert load_target(copy) == source


def test_a_built_target_carries_its_changes_and_nothing_else(tmp_path):
    from tests.targets import embedded_target, write_target

    plain = load_target(DEFAULT_TARGET)
    built = load_target(write_target(
        embedded_target(vssid_defects=["pkce_plain"], profile={"escalate": ["IDP-14/405"]},
                        idp={"device_page": False}), tmp_path / "built.toml"))
    assert built.embedded.vssid_defects == ["pkce_plain"]
    assert built.profile.escalate == ["IDP-14/405"] and built.idp.device_page is False
    undone = msgspec.structs.replace(
        built, embedded=plain.embedded, profile=plain.profile,
        idp=msgspec.structs.replace(built.idp, device_page=plain.idp.device_page))
    assert undone == plain
