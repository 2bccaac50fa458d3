"""The evidence bundle: built from a reports folder, verified offline; one changed byte fails it."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fixtures import evidence
from fixtures.evidence import (
    DIGESTS,
    MANIFEST,
    PREFIX,
    SIGNATURE,
    SIGNER,
    Checkout,
    Refused,
    UsageError,
    build_bundle,
    fingerprint,
    lock_hashes,
    verify_bundle,
    write_archive,
)

COMMIT = "0123456789abcdef0123456789abcdef01234567"
TARGET = {"name": "embedded", "description": "the kit's stubs",
          "rp": {"kind": "embedded", "url": ""}, "idp": {"kind": "embedded", "url": ""},
          "personas": ["level2"], "stub_defects": []}
KIT = {"name": "vneid-conformance", "version": "0.1.0", "commit": COMMIT, "dirty": False,
       "locks": lock_hashes(), "tools": {"python": "CPython 3.11", "node": "v20",
                                         "npm": "10", "java": "not found", "chromium": "X 1"}}
CHECKOUT = Checkout(COMMIT, lock_hashes())
REPORT = "conformance.md"


def _no_secrets(reports_dir, *, digests_dir):
    return []


@dataclass
class Hit:
    path: str
    kind: str
    where: str


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def _reports(root: Path, *, only_json: bool = False) -> Path:
    reports = root / "reports"
    conformance = {"schema_version": 2, "summary": {"passed": 1}, "target": TARGET,
                   "kit": {"name": "vneid-conformance", "version": "0.1.0", "commit": COMMIT},
                   "dependencies": {"pytest": "9.0.0"}, "requirements": []}
    _write(reports / "conformance.json", json.dumps(conformance, indent=2))
    if only_json:
        return reports
    _write(reports / "conformance.md", "# VNeID login conformance report\n")
    _write(reports / "junit.xml", '<testsuites tests="1"/>\n')
    _write(reports / "allure-report" / "index.html", "<html>report</html>\n")
    _write(reports / "allure-report" / "summary.json", "{}")  # not the single-file report
    _write(reports / "allure-results" / "a1-result.json", '{"name": "t"}')
    _write(reports / "allure-results" / "b2-attachment.txt", "GET /authorize?code=[redacted]")
    _write(reports / "artifacts" / "suites.journey.t" / "screen.png", bytes(range(256)))
    _write(reports / DIGESTS / "run.json", '{"sha256": ["..."]}')
    _write(reports / "unrelated.log", "not an input")
    return reports


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def bundle(tmp_path, key) -> Path:
    out = tmp_path / "bundle.tar.gz"
    build_bundle(_reports(tmp_path), out, key, scanner=_no_secrets, kit=KIT)
    return out


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name.removeprefix(PREFIX): tar.extractfile(m).read() for m in tar.getmembers()}


def _rewrite(path: Path, members: dict[str, bytes]) -> Path:
    write_archive(members, path)
    return path


def _reseal(members: dict[str, bytes], key: Ed25519PrivateKey) -> dict[str, bytes]:
    """The members with a fresh manifest and signature: what a forger with `key` would make."""
    files = {n: d for n, d in members.items() if n not in (MANIFEST, SIGNATURE)}
    files[SIGNER] = evidence.public_pem(key.public_key())
    manifest = json.loads(members[MANIFEST])
    manifest["files"] = [{"path": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                         for n, d in sorted(files.items())]
    data = evidence._dump(manifest)
    return {**files, MANIFEST: data, SIGNATURE: key.sign(data)}


def _problems(path: Path, **options) -> str:
    verdict = verify_bundle(path, checkout=options.pop("checkout", CHECKOUT), **options)
    assert not verdict.ok, "the bundle verified"
    return "\n".join(verdict.problems)


def test_a_built_bundle_verifies(bundle, key):
    verdict = verify_bundle(bundle, checkout=CHECKOUT)
    assert verdict.ok, verdict.problems
    assert verdict.fingerprint == fingerprint(key.public_key())
    members = _members(bundle)
    assert sorted(members) == [
        MANIFEST, SIGNATURE, SIGNER, "allure-report/index.html",
        "allure-results/a1-result.json", "allure-results/b2-attachment.txt",
        "artifacts/suites.journey.t/screen.png", "conformance.json", "conformance.md",
        "junit.xml", "kit.json", "target.json"]
    assert json.loads(members["target.json"]) == TARGET
    kit = json.loads(members["kit.json"])
    assert kit == {**KIT, "dependencies": {"pytest": "9.0.0"}}
    manifest = json.loads(members[MANIFEST])
    assert manifest["absent"] == []
    assert {f["path"] for f in manifest["files"]} == set(members) - {MANIFEST, SIGNATURE}
    assert verify_bundle(bundle, public_key=key.public_key(), checkout=CHECKOUT).ok


def test_the_archive_is_plain_files_with_fixed_owners_and_times(bundle):
    with tarfile.open(bundle, "r:gz") as tar:
        infos = tar.getmembers()
    assert [i.name for i in infos] == sorted(i.name for i in infos)
    for info in infos:
        assert info.isreg() and info.name.startswith(PREFIX)
        assert (info.mtime, info.uid, info.gid, info.uname, info.gname, info.mode) == (
            evidence.MTIME, 0, 0, "", "", 0o644)


def test_the_same_inputs_give_the_same_bytes(tmp_path, key):
    reports = _reports(tmp_path)
    first, second = tmp_path / "1.tar.gz", tmp_path / "2.tar.gz"
    build_bundle(reports, first, key, scanner=_no_secrets, kit=KIT)
    for path in reports.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    build_bundle(reports, second, key, scanner=_no_secrets, kit=KIT)
    assert first.read_bytes() == second.read_bytes()
    build_bundle(reports, second, Ed25519PrivateKey.generate(), scanner=_no_secrets, kit=KIT)
    assert first.read_bytes() != second.read_bytes()


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]


@pytest.mark.parametrize("name", [
    REPORT, "allure-results/a1-result.json", "artifacts/suites.journey.t/screen.png",
    "kit.json", "target.json", MANIFEST, SIGNATURE, SIGNER,
])
def test_one_changed_byte_fails_naming_the_file(bundle, name):
    members = _members(bundle)
    members[name] = _flip(members[name])
    assert name in _problems(_rewrite(bundle, members))


@pytest.mark.parametrize("where", [
    "gzip header time", "compressed data", "gzip CRC", "gzip length", "appended zero",
])
def test_one_changed_byte_of_the_archive_itself_fails(bundle, where):
    data = bytearray(bundle.read_bytes())
    if where == "appended zero":
        data += b"\0"
    else:
        at = {"gzip header time": 4, "compressed data": len(data) // 2, "gzip CRC": -8,
              "gzip length": -1}[where]
        data[at] ^= 0x01
    bundle.write_bytes(bytes(data))
    assert bundle.name in _problems(bundle)


def _recompress(path: Path, tar_bytes: bytes) -> None:
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                               compresslevel=6) as packed:
        packed.write(tar_bytes)


def test_a_changed_byte_in_tar_padding_or_headers_fails(bundle):
    tar_bytes = bytearray(gzip.decompress(bundle.read_bytes()))
    _recompress(bundle, bytes(tar_bytes))
    assert verify_bundle(bundle, checkout=CHECKOUT).ok  # the same bytes, recompressed
    padding = 512 + len(_members(bundle)[MANIFEST])  # after the first member's data
    tar_bytes[padding + 1] ^= 0x01
    _recompress(bundle, bytes(tar_bytes))
    assert "tar headers or padding are not what build writes" in _problems(bundle)
    tar_bytes[padding + 1] ^= 0x01
    tar_bytes[-1] ^= 0x01  # the record's zero padding at the end
    _recompress(bundle, bytes(tar_bytes))
    assert "tar headers or padding" in _problems(bundle)


def test_a_repacked_bundle_fails(tmp_path, bundle):
    members = _members(bundle)
    repacked = _tar(tmp_path / "repacked.tar.gz",
                    *((_info(PREFIX + n), members[n]) for n in reversed(sorted(members))))
    problems = _problems(repacked)
    assert "gzip header is not the one build writes" in problems
    assert "not in the order build writes" in problems


def test_an_extra_member_fails(bundle):
    members = _members(bundle)
    members["artifacts/planted.txt"] = b"not signed"
    assert "artifacts/planted.txt: in the bundle but not listed" in _problems(
        _rewrite(bundle, members))


@pytest.mark.parametrize("name", ["junit.xml", SIGNATURE, SIGNER])
def test_a_missing_member_fails(bundle, name):
    members = _members(bundle)
    del members[name]
    assert f"{name}: " in _problems(_rewrite(bundle, members))


def test_another_key_fails_when_the_verifier_names_the_expected_one(bundle, key):
    forger = Ed25519PrivateKey.generate()
    members = _members(bundle)
    members[REPORT] = members[REPORT].replace(b"report", b"REPORT")
    _rewrite(bundle, _reseal(members, forger))
    # Alone, the bundle is consistent: only the fingerprint tells the reader it is not the vendor's.
    alone = verify_bundle(bundle, checkout=CHECKOUT)
    assert alone.ok and alone.fingerprint == fingerprint(forger.public_key())
    problems = _problems(bundle, public_key=key.public_key())
    assert f"{SIGNER}: the bundle names key {fingerprint(forger.public_key())}" in problems
    assert f"{SIGNATURE}: the signature over {MANIFEST} does not verify" in problems


def test_a_lock_hash_that_differs_fails(bundle):
    other = Checkout(COMMIT, {**CHECKOUT.locks, "uv.lock": "f" * 64})
    problems = _problems(bundle, checkout=other)
    assert "kit.json: uv.lock SHA-256" in problems and "package-lock" not in problems


def test_another_head_fails_unless_told_not_to_compare(bundle):
    other = Checkout("f" * 40, CHECKOUT.locks)
    assert "is not this checkout's HEAD" in _problems(bundle, checkout=other)
    assert verify_bundle(bundle, checkout=other, this_kit=False).ok


def test_a_kit_commit_unlike_the_reports_fails(bundle, key):
    members = _members(bundle)
    kit = json.loads(members["kit.json"])
    members["kit.json"] = evidence._dump({**kit, "commit": "f" * 40})
    _rewrite(bundle, _reseal(members, key))
    problems = _problems(bundle, checkout=Checkout("f" * 40, CHECKOUT.locks))
    assert f"kit.json: commit {'f' * 40} differs from conformance.json's kit commit" in problems


def test_build_refuses_reports_of_another_commit(tmp_path, key):
    with pytest.raises(UsageError, match=r"made by kit commit .* this checkout is fff"):
        build_bundle(_reports(tmp_path), tmp_path / "b.tar.gz", key, scanner=_no_secrets,
                     kit={**KIT, "commit": "f" * 40})


def _tar(path: Path, *infos: tuple[tarfile.TarInfo, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in infos:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def _info(name: str, kind: bytes = tarfile.REGTYPE, **fields) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    for field, value in fields.items():
        setattr(info, field, value)
    return info


@pytest.mark.parametrize(("info", "says"), [
    (_info("/etc/evil"), "absolute path"),
    (_info("evidence/../../evil"), "climbs out"),
    (_info("../evil"), "climbs out"),
    (_info("evidence/link", tarfile.SYMTYPE, linkname="/etc/passwd"), "symbolic link"),
    (_info("evidence/hard", tarfile.LNKTYPE, linkname="evidence/MANIFEST.json"), "hard link"),
    (_info("evidence/tty", tarfile.CHRTYPE, devmajor=5, devminor=0), "character device"),
    (_info("evidence/pipe", tarfile.FIFOTYPE), "FIFO"),
    (_info("elsewhere/kit.json"), "not under evidence/"),
    (_info("evidence/tool", mode=0o4755), "setuid"),
])
def test_an_unsafe_member_is_refused_and_nothing_is_extracted(tmp_path, bundle, info, says):
    members = _members(bundle)
    regular = [(_info(PREFIX + name), data) for name, data in sorted(members.items())]
    bad = _tar(tmp_path / "bad.tar.gz", *regular[:3], (info, b"x"), *regular[3:])
    before = sorted(p.name for p in tmp_path.iterdir())
    problems = _problems(bad)
    assert problems.startswith("unsafe archive") and says in problems, problems
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not Path("/etc/evil").exists()


def test_a_member_twice_is_refused(tmp_path):
    twice = _tar(tmp_path / "twice.tar.gz", (_info("evidence/kit.json"), b"{}"),
                 (_info("evidence/kit.json"), b"{}"))
    assert "appears twice" in _problems(twice)


def test_absent_inputs_are_recorded_and_conformance_json_is_required(tmp_path, key):
    out = tmp_path / "b.tar.gz"
    build_bundle(_reports(tmp_path, only_json=True), out, key, scanner=_no_secrets, kit=KIT)
    manifest = json.loads(_members(out)[MANIFEST])
    assert manifest["absent"] == ["conformance.md", "junit.xml", "allure-report/index.html",
                                  "allure-results/", "artifacts/"]
    verdict = verify_bundle(out, checkout=CHECKOUT)
    assert verdict.ok and "absent from the reports" in verdict.notes[0]
    with pytest.raises(UsageError, match=r"conformance\.json is missing: run make conformance"):
        build_bundle(tmp_path / "nothing", out, key, scanner=_no_secrets, kit=KIT)


def test_a_symbolic_link_in_the_reports_is_refused(tmp_path, key):
    reports = _reports(tmp_path)
    (reports / "artifacts" / "passwd").symlink_to("/etc/passwd")
    with pytest.raises(UsageError, match="passwd is a symbolic link"):
        build_bundle(reports, tmp_path / "b.tar.gz", key, scanner=_no_secrets, kit=KIT)


def test_a_secret_hit_refuses_to_bundle_before_writing_anything(tmp_path, key, capsys,
                                                                  fixed_kit):
    reports = _reports(tmp_path)
    seen = []

    def scanner(reports_dir, *, digests_dir):
        seen.append((reports_dir, digests_dir))
        return [Hit(str(reports_dir / "junit.xml"), "client_secret", "line 3")]

    out = tmp_path / "b.tar.gz"
    with pytest.raises(Refused, match="refusing to bundle: 1 possible secret") as refused:
        build_bundle(reports, out, key, scanner=scanner, kit=KIT)
    assert seen == [(reports, reports / DIGESTS)]
    assert refused.value.hits[0].kind == "client_secret"
    assert not out.exists()
    code = evidence.main(["build", "--reports", str(reports), "--out", str(out),
                          "--save-key", str(tmp_path / "k.pem")], scanner=scanner)
    err = capsys.readouterr().err
    assert code == 1 and "junit.xml: client_secret (line 3)" in err and "refusing" in err
    assert not out.exists() and not (tmp_path / "k.pem").exists()


def test_without_the_secret_scan_module_nothing_is_bundled(tmp_path, key, monkeypatch):
    monkeypatch.setitem(sys.modules, "fixtures.secret_scan", None)
    with pytest.raises(Refused, match="secret scan is not available"):
        build_bundle(_reports(tmp_path), tmp_path / "b.tar.gz", key, kit=KIT)


def test_the_real_secret_scan_finds_a_planted_secret(tmp_path, key):
    secret_scan = pytest.importorskip("fixtures.secret_scan")
    reports = _reports(tmp_path)
    planted = "-----BEGIN PRIVATE KEY-----\n" + "A" * 64 + "\n-----END PRIVATE KEY-----\n"
    _write(reports / "artifacts" / "suites.journey.t" / "page.html", planted)
    assert secret_scan.scan_tree(reports, digests_dir=reports / DIGESTS)
    with pytest.raises(Refused) as refused:
        build_bundle(reports, tmp_path / "b.tar.gz", key, kit=KIT)
    assert any("page.html" in str(hit.path) for hit in refused.value.hits)
    assert not (tmp_path / "b.tar.gz").exists()


@pytest.fixture
def fixed_kit(monkeypatch):
    monkeypatch.setattr(evidence, "describe_checkout", lambda: dict(KIT))
    monkeypatch.setattr(evidence, "this_checkout", lambda: CHECKOUT)


def test_the_command_line(tmp_path, fixed_kit, capsys):
    reports = _reports(tmp_path)
    vendor = Ed25519PrivateKey.generate()
    pem = tmp_path / "vendor.pem"
    pem.write_bytes(evidence.private_pem(vendor))
    pub = tmp_path / "vendor.pub"
    pub.write_bytes(evidence.public_pem(vendor.public_key()))
    out = tmp_path / "b.tar.gz"
    assert evidence.main(["build", "--reports", str(reports), "--out", str(out),
                          "--key", str(pem)], scanner=_no_secrets) == 0
    said = capsys.readouterr().out
    assert fingerprint(vendor.public_key()) in said and "BEGIN PUBLIC KEY" not in said
    assert evidence.main(["verify", str(out), "--public-key", str(pub)]) == 0
    said = capsys.readouterr().out
    assert said.splitlines()[-1].startswith(f"VERIFIED {out}") and "you expected" in said
    assert evidence.main(["verify", str(out)]) == 0
    assert "whether to trust it is your decision" in capsys.readouterr().out
    other = tmp_path / "other.pub"
    other.write_bytes(evidence.public_pem(Ed25519PrivateKey.generate().public_key()))
    assert evidence.main(["verify", str(out), "--public-key", str(other)]) == 1
    assert "NOT VERIFIED" in capsys.readouterr().out


def test_a_fresh_key_is_printed_and_saved_only_when_asked(tmp_path, fixed_kit, capsys):
    reports = _reports(tmp_path)
    assert evidence.main(["build", "--reports", str(reports)], scanner=_no_secrets) == 0
    said = capsys.readouterr().out
    assert "BEGIN PUBLIC KEY" in said and "not saved" in said and "PRIVATE" not in said
    [made] = reports.glob("evidence-*.tar.gz")
    assert verify_bundle(made, checkout=CHECKOUT).ok
    saved = tmp_path / "fresh.pem"
    assert evidence.main(["build", "--reports", str(reports), "--out", str(tmp_path / "b.tgz"),
                          "--save-key", str(saved)], scanner=_no_secrets) == 0
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    key = evidence.load_private_key(saved)
    assert fingerprint(key.public_key()) in capsys.readouterr().out
    assert evidence.main(["build", "--reports", str(reports), "--save-key", str(saved)],
                         scanner=_no_secrets) == 2
    assert "exists: not overwriting" in capsys.readouterr().err


def test_usage_errors_exit_2_with_one_line(tmp_path, fixed_kit, capsys):
    reports = _reports(tmp_path)
    ec_key = tmp_path / "ec.pem"
    ec_key.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    cases = [
        (["build", "--reports", str(tmp_path / "none")], "run make conformance first"),
        (["build", "--reports", str(reports), "--key", str(ec_key)], "not Ed25519"),
        (["build", "--reports", str(reports), "--key", str(tmp_path / "no.pem")], "no such file"),
        (["build", "--reports", str(reports), "--out", str(tmp_path / "no" / "b.tgz")],
         "does not exist"),
        (["verify", str(tmp_path / "none.tar.gz")], "no such file"),
        (["verify", str(reports / "conformance.json"), "--public-key", str(ec_key)],
         "not a PEM public key"),
    ]
    for argv, says in cases:
        assert evidence.main(argv, scanner=_no_secrets) == 2, argv
        err = capsys.readouterr().err.strip()
        assert says in err and len(err.splitlines()) == 1, err
    with pytest.raises(SystemExit) as usage:
        evidence.main([])
    assert usage.value.code == 2


def test_the_real_kit_description(tmp_path):
    kit = evidence.describe_checkout()
    assert kit["name"] == "vneid-conformance" and isinstance(kit["dirty"], bool)
    assert kit["locks"] == lock_hashes()
    assert kit["locks"]["uv.lock"] == hashlib.sha256(
        (evidence.KIT_ROOT / "uv.lock").read_bytes()).hexdigest()
    assert kit["tools"]["python"].startswith("CPython 3.11")
    assert set(kit["tools"]) == {"python", "node", "npm", "java", "chromium"}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_verifies_it_without_the_kit(tmp_path, bundle, key):
    members = _members(bundle)
    for name in (MANIFEST, SIGNATURE, SIGNER):
        (tmp_path / name).write_bytes(members[name])
    done = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", SIGNER, "-rawin",
         "-in", MANIFEST, "-sigfile", SIGNATURE], cwd=tmp_path, capture_output=True, text=True,
        check=False)
    assert done.returncode == 0 and "Verified Successfully" in done.stdout, done.stderr
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", SIGNER, "-outform", "DER"],
                         cwd=tmp_path, capture_output=True, check=True).stdout
    assert "sha256:" + hashlib.sha256(der).hexdigest() == fingerprint(key.public_key())
