"""Ask each system under test one version question: does its gate let this version through?

VssID's gate is asked at its server (the start request the VNeID button sends, forged with
any version: the server must enforce the minimum, N-VER-2) and on its login screen (is the
button offered). VNeID's gate is asked by putting the version on the phone and opening the
app link VssID handed over (N-VER-1).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fixtures.drivers.http_driver import HttpDriver
from fixtures.drivers.phone import Phone
from fixtures.drivers.vssid_app_client import UnsendableVersion, VssidAppClient
from fixtures.oracle import Outcome
from fixtures.verdicts import KitError


class GateAnswerUnclear(KitError):
    """A gate answered neither "through" nor "update required": the kit cannot read a yes or
    a no from it (a screen outside the contract, or an error on the way), so it cannot judge
    the gate."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem, fix="the gate must answer with its login screen (through) or "
                                      "the outcome VNEID_UPDATE_REQUIRED / VSSID_UPDATE_REQUIRED "
                                      "(refused), as stubs/README.md's screen contract says, or "
                                      "the target's locators must say which screen is which")


class VssidGate:
    """VssID's minimum-version gate, at the server and on the login screen."""

    def __init__(self, app: VssidAppClient, phone: Phone) -> None:
        self.app = app
        self.phone = phone

    def server_allows(self, version: str) -> bool | None:
        """Whether the backend hands a start request from this app version over to VNeID;
        None when the declared channel cannot carry the version (no app could send it)."""
        try:
            started = self.app.start_vneid_login(version)
        except UnsendableVersion:
            return None
        if started.authorization_url:
            return True
        if started.outcome == Outcome.VSSID_UPDATE_REQUIRED:
            return False
        raise GateAnswerUnclear(f"VssID start with version {version!r}: HTTP "
                                f"{started.status_code}, outcome {started.outcome!r}")

    def screen_offers(self, version: str) -> bool:
        """Whether the login screen offers the VNeID button to this (valid) app version."""
        if not self.phone.learns_device_state("vssid"):
            from fixtures.systems import not_applicable

            not_applicable("VssID's login screen can only hide the VNeID button from an old app "
                           "it knows of, and this relying party learns the app's version only "
                           "when a login starts (rp.version_channel), not on its login screen; "
                           "its server's gate is judged (the vssid-server cases). Declare "
                           "rp.device_page = true if it serves the kit's GET /_device page")
        self.phone.set_device(vssid_version=version)
        return self.phone.open_vssid().offers_vneid_login()


class VneidGate:
    """VNeID's minimum-version gate: the app link opened with a given VNeID on the phone."""

    def __init__(self, driver: HttpDriver, vneid_url: str, authorization_url: str) -> None:
        self.driver = driver
        self.vneid_url = vneid_url
        self.authorization_url = authorization_url

    def allows(self, version: str) -> bool | None:
        """Whether VNeID shows its login for this version (None: the phone cannot hold it)."""
        self.driver.open(f"{self.vneid_url}/_device?{urlencode({'vneid_version': version})}")
        if self.driver.status_code != 200:
            return None
        self.driver.open(self.authorization_url)
        screen = self.driver.body_attribute("data-screen")
        outcome = self.driver.body_attribute("data-outcome")
        if screen == "vneid-login" and outcome is None:
            return True
        if outcome == Outcome.VNEID_UPDATE_REQUIRED:
            return False
        raise GateAnswerUnclear(f"VNeID app link with version {version!r}: screen {screen!r}, "
                                f"outcome {outcome!r}")
