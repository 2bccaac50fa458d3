"""Target files for third-party relying parties, written the way their vendor would.

Each RP (tests/interop/openid_client_rp.py: openid-client on Node; tests/interop/authlib_rp.py:
Authlib on Starlette) runs on loopback with VssID accounts for the kit's personas, configured
with the kit's VNeID as its identity provider (a fixed port and CA for the run, so it can be
configured before the kit starts). The target then says what a vendor knows of their own
product — its paths, how its app reports its version, how it shows a session, its log, and
how to find things on its own screens (`[rp.locators]`) — and nothing of the reference VssID.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path

from fixtures.config import DEFAULT_TARGET, load_target
from fixtures.servers import Tls
from tests.interop.targets import free_port

SECRET_ENV = "INTEROP_RP_CLIENT_SECRET"


def accounts() -> list[dict]:
    """The RP's VssID accounts: one per persona of the kit's VNeID that has one, in its state."""
    return [{"id_number": p.id_number, "name": p.name,
             "social_insurance_code": p.social_insurance_code, "status": p.vssid_account}
            for p in load_target(DEFAULT_TARGET).persona if p.vssid_account != "none"]


def personas_toml() -> str:
    """Every persona the kit's VNeID knows, as the example RP target lists them."""
    text = DEFAULT_TARGET.read_text(encoding="utf-8")
    return text[text.index("[[persona]]"):]


AUTHLIB_RP = """
login_path = "/dang-nhap"
# No session endpoint: the account page is what a logged-in person sees; anyone else is sent
# to the login screen.
session_page = "/tai-khoan"
logout_path = "/dang-xuat"
logout_method = "GET"
# The app sends its version in a header when it starts a VNeID login.
version_channel = "header:X-VssID-Version"

[rp.locators]
"screen:vssid-login" = "body#man-dang-nhap"
"screen:vssid-home" = "body#man-tai-khoan"
"vneid-login" = "form#form-vneid button#nut-vneid"
"outcome-title" = "#tieu-de-ket-qua"
"outcome-message" = "#thong-bao-ket-qua"
"back-to-login" = "a#ve-dang-nhap"
"store-link" = "a#lien-ket-cua-hang"
"register-link" = "a#dang-ky"
"home-name" = "#ho-ten"
"home-id-number" = "#so-dinh-danh"
"home-social-insurance-code" = "#ma-so-bhxh"
"logout" = "a#dang-xuat"
"outcome:LOGGED_IN" = "body#man-tai-khoan"
"outcome:VSSID_UPDATE_REQUIRED" = "body#man-can-cap-nhat"
"outcome:CANCELLED" = "body#man-da-huy"
"outcome:LEVEL2_REQUIRED" = "body#man-can-muc-2"
"outcome:NO_VSSID_ACCOUNT" = "body#man-chua-co-tai-khoan"
"outcome:VSSID_PENDING" = "body#man-cho-duyet"
"outcome:VSSID_LOCKED" = "body#man-bi-khoa"
"outcome:PROTOCOL_ERROR" = "body#man-loi-xac-thuc"
"outcome:IDP_ERROR" = "body#man-loi-vneid"
"""


OPENID_CLIENT_RP = """
login_path = "/signin"
# A session endpoint in the shape stubs/README.md gives ("Reading a session").
session_path = "/api/whoami"
logout_path = "/signout"
logout_method = "POST"
# The app fills its version into a field of the VNeID button's form.
version_channel = "form:client_version"
start_path = "/auth/vneid/begin"

[rp.locators]
"screen:vssid-login" = "body#signin-page"
"screen:vssid-home" = "body#dashboard-page"
"vneid-login" = "form#vneid-begin button#vneid-button"
"outcome-title" = "#result-title"
"outcome-message" = "#result-message"
"back-to-login" = "a#back-to-signin"
"store-link" = "a#store-link"
"register-link" = "a#register-link"
"home-name" = "#holder-name"
"home-id-number" = "#holder-id-number"
"home-social-insurance-code" = "#holder-sic"
"logout" = "form#signout-form button#signout-button"
"outcome:LOGGED_IN" = "body#dashboard-page"
"outcome:VSSID_UPDATE_REQUIRED" = "section.result--update-required"
"outcome:CANCELLED" = "section.result--cancelled"
"outcome:LEVEL2_REQUIRED" = "section.result--level2-required"
"outcome:NO_VSSID_ACCOUNT" = "section.result--no-account"
"outcome:VSSID_PENDING" = "section.result--pending"
"outcome:VSSID_LOCKED" = "section.result--locked"
"outcome:PROTOCOL_ERROR" = "section.result--protocol-error"
"outcome:IDP_ERROR" = "section.result--idp-error"
"""


def write_target(folder: Path, *, name: str, url: str, rp_ca: Path, redirect_uri: str,
                 client_id: str, log_file: Path, rp_section: str, vneid_port: int,
                 kit_tls: Tls) -> Path:
    target = folder / f"{name}.toml"
    rp_keys, _, locators = rp_section.partition("[rp.locators]")
    target.write_text(f'''name = "{name}"
description = "A vendor's VssID backend on a third-party OIDC client library"

[rp]
kind = "external"
url = "{url}"
ca_file = "{rp_ca}"
log_file = "{log_file}"
{rp_keys}
[rp.client]
client_id = "{client_id}"
client_secret_env = "{SECRET_ENV}"
redirect_uri = "{redirect_uri}"

[rp.locators]{locators}
[idp]
kind = "embedded"

[embedded]
vneid_port = {vneid_port}
tls_cert_file = "{kit_tls.cert_file}"
tls_key_file = "{kit_tls.key_file}"
tls_ca_file = "{kit_tls.ca_file}"

{personas_toml()}''', encoding="utf-8")
    return target


@contextlib.contextmanager
def authlib_rp(folder: Path, defect: str | None = None) -> Iterator[tuple[Path, dict[str, str]]]:
    """Authlib's RP (a defect switched on, or none) and its target file; the secret in env."""
    from tests.interop.authlib_rp import start_authlib_rp

    kit_tls = Tls.issue(folder / "kit-tls")
    port, secret = free_port(), secrets.token_urlsafe(24)
    with start_authlib_rp(folder / "rp", issuer=f"https://127.0.0.1:{port}",
                          client_id="vssid-authlib", client_secret=secret,
                          ca_file=kit_tls.ca_file, accounts=accounts(), defect=defect) as rp:
        yield write_target(folder, name="authlib-vssid" + (f"-{defect}" if defect else ""),
                           url=rp.url, rp_ca=rp.ca_file, redirect_uri=rp.redirect_uri,
                           client_id="vssid-authlib", log_file=rp.log_file,
                           rp_section=AUTHLIB_RP, vneid_port=port, kit_tls=kit_tls), \
            {SECRET_ENV: secret}


@contextlib.contextmanager
def openid_client_rp(folder: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """openid-client's RP and its target file; the secret in env."""
    from tests.interop.openid_client_rp import start_openid_client_rp

    kit_tls = Tls.issue(folder / "kit-tls")
    port, secret = free_port(), secrets.token_urlsafe(24)
    with start_openid_client_rp(folder / "rp", issuer=f"https://127.0.0.1:{port}",
                                client_id="vssid-openid-client", client_secret=secret,
                                ca_file=kit_tls.ca_file, accounts=accounts()) as rp:
        yield write_target(folder, name="openid-client-vssid", url=rp.url, rp_ca=rp.ca_file,
                           redirect_uri=rp.redirect_uri, client_id="vssid-openid-client",
                           log_file=rp.log_file, rp_section=OPENID_CLIENT_RP, vneid_port=port,
                           kit_tls=kit_tls), {SECRET_ENV: secret}
