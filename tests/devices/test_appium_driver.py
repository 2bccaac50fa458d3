"""The Appium AppDriver's locators and native-app paths, against a recording fake session."""

from __future__ import annotations

from dataclasses import dataclass, field

from appium.webdriver.common.appiumby import AppiumBy

from fixtures.drivers.appium_driver import AppiumDriver, locate


def test_web_screens_are_found_by_data_testid_css():
    assert locate("css", "vneid-login") == (AppiumBy.CSS_SELECTOR, '[data-testid="vneid-login"]')


def test_real_apps_are_found_by_accessibility_id():
    assert locate("accessibility_id", "vneid-login") == (AppiumBy.ACCESSIBILITY_ID,
                                                         "vneid-login")


@dataclass
class FakeElement:
    text: str = ""
    clicked: int = 0

    def click(self) -> None:
        self.clicked += 1


@dataclass
class FakeNativeSession:
    """What a real device's session answers, for the few calls the driver makes."""

    elements: dict[tuple[str, str], FakeElement] = field(default_factory=dict)
    current_package: str = "com.bhxhapp"
    current_activity: str = ".MainActivity"

    def find_elements(self, by: str, value: str) -> list[FakeElement]:
        found = self.elements.get((by, value))
        return [found] if found else []

    def find_element(self, by: str, value: str) -> FakeElement:
        return self.elements[(by, value)]


def test_on_a_real_app_the_screen_name_and_outcome_come_from_marker_elements():
    session = FakeNativeSession({
        (AppiumBy.ACCESSIBILITY_ID, "screen"): FakeElement("vssid-home"),
        (AppiumBy.ACCESSIBILITY_ID, "outcome"): FakeElement("LOGGED_IN"),
    })
    driver = AppiumDriver(session, locator="accessibility_id")
    assert driver.body_attribute("data-screen") == "vssid-home"
    assert driver.body_attribute("data-outcome") == "LOGGED_IN"
    assert driver.body_attribute("data-other") is None
    assert driver.current_url() == "com.bhxhapp/.MainActivity"


def test_on_a_real_app_links_go_through_the_os_and_taps_are_plain_clicks():
    button = FakeElement("Đăng nhập bằng tài khoản định danh điện tử")
    opened: list[str] = []
    driver = AppiumDriver(FakeNativeSession({(AppiumBy.ACCESSIBILITY_ID, "vneid-login"): button}),
                          locator="accessibility_id", open_link=opened.append)
    driver.open("https://vneid.example/authorize?client_id=vssid")
    driver.tap("vneid-login")
    assert opened == ["https://vneid.example/authorize?client_id=vssid"]
    assert button.clicked == 1
    assert driver.is_present("vneid-login") and not driver.is_present("logout")
