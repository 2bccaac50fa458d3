"""Target files for third-party identity providers, written the way their vendor would.

Each IdP (tests/interop/node_oidc_provider.py, tests/interop/django_oauth_toolkit.py) is started
on loopback with accounts for the kit's personas; the target file then says what a vendor
knows of their own product — where it is, the client it registered, how its login goes
(`[idp.login]`) and how to find things on its own screens (`[idp.locators]`) — and nothing the
kit's stub would have told it.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyotp

CLIENT_ID = "vssid-kit"
SECOND_CLIENT_ID = "vssid-kit-second"

# The kit's personas the third-party IdPs hold accounts for: (key, ID number, name, level,
# VssID account, social insurance code). VssID's side (the kit's reference VssID) knows them
# from the target file.
PEOPLE = [
    ("l2_active", "084190012345", "Nguyễn Thị Thu Hà", 2, "active", "8423456789"),
    ("l1_active", "001095004321", "Trần Văn Bình", 1, "active", "0112345670"),
    ("l2_no_vssid", "079088006789", "Lê Hoàng Nam", 2, "none", "7933344455"),
    ("l2_vssid_pending", "048201000567", "Phạm Minh Khoa", 2, "pending", "4856781234"),
    # Never used but by the consent check: it has never approved the kit's client.
    ("l2_fresh", "052187003456", "Đỗ Quang Vinh", 2, "active", "5212345678"),
    # Never used but by the lockout checks (lockable = true): the kit may lock it.
    ("l2_lockable", "040190007777", "Vũ Thị Lan", 2, "active", "4012345678"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Vendor:
    """What one run against a third-party IdP needs: its accounts, secrets and callback."""

    name: str
    callback: str = field(default_factory=lambda: f"https://127.0.0.1:{free_port()}"
                                                  "/app/vneid/callback")
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    second_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    passwords: dict[str, str] = field(default_factory=lambda: {
        key: f"Mk-{secrets.token_urlsafe(9)}" for key, *_ in PEOPLE})
    totp: dict[str, str] = field(default_factory=lambda: {
        key: pyotp.random_base32() for key, *_ in PEOPLE})

    def accounts(self) -> list[dict]:
        return [{"id_number": id_number, "name": name, "password": self.passwords[key],
                 "level": level, "totp_secret": self.totp[key]}
                for key, id_number, name, level, *_ in PEOPLE]

    def second_client(self) -> dict:
        return {"client_id": SECOND_CLIENT_ID, "client_secret": self.second_secret,
                "redirect_uri": self.callback, "client_name": "Another relying party"}

    def env(self) -> dict[str, str]:
        """The secrets, as the kit reads them: from the environment, never the file."""
        env = {"INTEROP_CLIENT_SECRET": self.client_secret,
               "INTEROP_SECOND_SECRET": self.second_secret}
        env.update({f"INTEROP_TOTP_{key.upper()}": secret for key, secret in self.totp.items()})
        return env

    def personas(self, *, totp: bool) -> str:
        blocks = []
        for key, id_number, name, level, vssid, insurance in PEOPLE:
            factor = (f'totp_secret_env = "INTEROP_TOTP_{key.upper()}"' if totp else "")
            if key == "l2_lockable":
                factor += "\nlockable = true"
            blocks.append(f'''[[persona]]
key = "{key}"
id_number = "{id_number}"
name = "{name}"
password = "{self.passwords[key]}"
{factor}
level = {level}
vneid_status = "active"
vssid_account = "{vssid}"
social_insurance_code = "{insurance}"
''')
        return "\n".join(blocks)

    def target(self, folder: Path, *, issuer: str, ca_file: Path, login: str, locators: str,
               totp: bool) -> Path:
        path = folder / f"{self.name}.toml"
        path.write_text(f'''name = "{self.name}"
description = "{self.name}, configured as a VNeID by its vendor"

[idp]
kind = "external"
url = "{issuer}"
ca_file = "{ca_file}"

[idp.client]
client_id = "{CLIENT_ID}"
client_secret_env = "INTEROP_CLIENT_SECRET"
redirect_uri = "{self.callback}"

[idp.second_client]
client_id = "{SECOND_CLIENT_ID}"
client_secret_env = "INTEROP_SECOND_SECRET"
redirect_uri = "{self.callback}"

{login}

{locators}

[rp]
kind = "embedded"

{self.personas(totp=totp)}''', encoding="utf-8")
        return path


# oidc-provider (npm) as its vendor set it up: its login at /interaction/<uid>, a password
# and then a TOTP code, consent on every login, errors on its own page or redirected.
NODE_LOGIN = '''[idp.login]
second_factor = "totp"
consent = "every_time"
'''
NODE_LOCATORS = '''[idp.locators]
"screen:vneid-login" = "form#signin"
"screen:vneid-passcode" = "form#otp"
"screen:vneid-consent" = "form#consent"
"outcome:VNEID_LOCKED" = "div.locked"
"outcome:VNEID_BAD_CREDENTIALS" = "form#signin p.alert"
"outcome:PROTOCOL_ERROR" = "main.oops"
"id-number" = "input[name='login']"
password = "input[name='pwd']"
"login-submit" = "form#signin button.primary"
"form-error" = "p.alert"
passcode = "input[name='otp']"
"passcode-submit" = "form#otp button.primary"
"consent-client-name" = "strong.client-name"
"consent-approve" = "button.approve"
"consent-decline" = "button.deny"'''

# django-oauth-toolkit as its vendor set it up: Django's password login at /accounts/login/
# (the request is validated only after it), no second factor, consent remembered.
DJANGO_LOGIN = '''[idp.login]
second_factor = "none"
consent = "remembered"
fresh_consent_persona = "l2_fresh"'''
DJANGO_LOCATORS = '''[idp.locators]
"screen:vneid-login" = "form#dang-nhap"
"screen:vneid-consent" = "form#uy-quyen"
"outcome:VNEID_BAD_CREDENTIALS" = "div.errornote"
"outcome:PROTOCOL_ERROR" = "section.trang-loi"
"id-number" = "input[name='username']"
password = "input[name='password']"
"login-submit" = "button#vao"
"form-error" = "div.errornote"
"consent-client-name" = ".xac-nhan-chia-se .ten-ung-dung"
"consent-approve" = "button#dong-y"
"consent-decline" = "button#tu-choi"'''


@contextlib.contextmanager
def _running(folder: Path, name: str, start, *, login: str, locators: str,
             totp: bool) -> Iterator[tuple[Path, dict[str, str]]]:
    """A third-party IdP started with the kit's personas, and its vendor's target file with
    the secrets it reads."""
    vendor = Vendor(name)
    with start(folder / "idp", redirect_uri=vendor.callback, client_id=CLIENT_ID,
               client_secret=vendor.client_secret, accounts=vendor.accounts(),
               second_client=vendor.second_client()) as idp:
        yield vendor.target(folder, issuer=idp.issuer, ca_file=idp.ca_file, login=login,
                            locators=locators, totp=totp), vendor.env()


def node_oidc_provider(folder: Path):
    """oidc-provider running, as its vendor set it up (see NODE_LOGIN)."""
    from tests.interop.node_oidc_provider import start_node_oidc_provider

    return _running(folder, "node-oidc-provider", start_node_oidc_provider,
                    login=NODE_LOGIN, locators=NODE_LOCATORS, totp=True)


def django_oauth_toolkit(folder: Path):
    """django-oauth-toolkit running, as its vendor set it up (see DJANGO_LOGIN)."""
    from tests.interop.django_oauth_toolkit import start_django_oauth_toolkit

    return _running(folder, "django-oauth-toolkit", start_django_oauth_toolkit,
                    login=DJANGO_LOGIN, locators=DJANGO_LOCATORS, totp=False)
