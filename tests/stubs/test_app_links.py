"""Both stubs serve the app-link association files a phone checks (APP-01), from their config."""

from __future__ import annotations

import httpx
import pytest

from stubs.vneid.app import create_app as create_vneid
from stubs.vneid.config import ConfigError as VneidConfigError
from stubs.vneid.config import load_config as load_vneid_config
from stubs.vssid.app import create_app as create_vssid
from stubs.vssid.config import ConfigError as VssidConfigError
from tests.stubs.vneid_flow import ISSUER, stub_config
from tests.stubs.vssid_rig import VSSID_BASE, vssid_config

pytestmark = pytest.mark.anyio

ASSETLINKS = "/.well-known/assetlinks.json"
AASA = "/.well-known/apple-app-site-association"
FINGERPRINT = ":".join(["0A"] * 32)



def _client(app, base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


async def _documents(app, base: str) -> tuple[httpx.Response, httpx.Response]:
    async with _client(app, base) as client:
        return await client.get(ASSETLINKS), await client.get(AASA)


def _served_directly_as_json(response: httpx.Response) -> object:
    assert response.status_code == 200
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


async def test_vneid_association_files_name_the_vneid_app_and_its_app_link():
    assetlinks, apple = await _documents(create_vneid(stub_config()), ISSUER)
    assert _served_directly_as_json(assetlinks) == [{
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {"namespace": "android_app", "package_name": "com.vnid",
                   "sha256_cert_fingerprints": [":".join(["DE", "AD", "BE", "EF"] * 8)]},
    }]
    detail = _served_directly_as_json(apple)["applinks"]["details"][0]
    assert detail["appIDs"] == ["TESTTEAM01.com.vnid"]
    # The web fallback is excluded first, so it never reopens the (missing) app.
    assert detail["components"] == [
        {"/": "/authorize/web", "exclude": True,
         "comment": "the web fallback stays in the browser"},
        {"/": "/authorize"}, {"/": "/authorize/*"}]


async def test_vssid_association_files_name_the_vssid_app_and_its_callback():
    assetlinks, apple = await _documents(create_vssid(vssid_config()), VSSID_BASE)
    statement = _served_directly_as_json(assetlinks)[0]
    assert statement["relation"] == ["delegate_permission/common.handle_all_urls"]
    assert statement["target"] == {
        "namespace": "android_app", "package_name": "com.bhxhapp",
        "sha256_cert_fingerprints": [":".join(["CA", "FE", "BA", "BE"] * 8)]}
    detail = _served_directly_as_json(apple)["applinks"]["details"][0]
    assert detail == {"appIDs": ["TESTTEAM02.com.bhxhapp"],
                      "components": [{"/": "/app/vneid/callback"},
                                     {"/": "/app/vneid/callback/*"}]}


async def test_the_files_follow_the_configured_app_and_paths():
    vneid = create_vneid(stub_config(android_package="vn.gov.vneid.test",
                                     android_cert_fingerprints=(FINGERPRINT,),
                                     ios_app_ids=("ABCDE12345.vn.gov.vneid",),
                                     authorize_path="/app-link/authorize"))
    assetlinks, apple = await _documents(vneid, ISSUER)
    assert assetlinks.json()[0]["target"]["package_name"] == "vn.gov.vneid.test"
    assert assetlinks.json()[0]["target"]["sha256_cert_fingerprints"] == [FINGERPRINT]
    detail = apple.json()["applinks"]["details"][0]
    assert detail["appIDs"] == ["ABCDE12345.vn.gov.vneid"]
    assert {"/": "/app-link/authorize"} in detail["components"]

    vssid = create_vssid(vssid_config(android_package="vn.gov.vssid.test",
                                      redirect_path="/cb/vneid",
                                      ios_app_ids=["ABCDE12345.vn.gov.vssid"]))
    assetlinks, apple = await _documents(vssid, VSSID_BASE)
    assert assetlinks.json()[0]["target"]["package_name"] == "vn.gov.vssid.test"
    assert apple.json()["applinks"]["details"][0]["components"][0] == {"/": "/cb/vneid"}


async def test_only_get_is_served_and_other_methods_get_an_error_object():
    async with _client(create_vneid(stub_config()), ISSUER) as client:
        response = await client.post(ASSETLINKS)
    assert response.status_code == 405
    assert "error" in response.json()


@pytest.mark.parametrize("bad", ["de:ad", "DE-AD", ":".join(["de"] * 32), ""])
def test_malformed_fingerprints_are_refused_by_both_configs(bad):
    with pytest.raises(VneidConfigError, match="android_cert_fingerprints"):
        stub_config(android_cert_fingerprints=(bad,))
    with pytest.raises(VssidConfigError, match="android_cert_fingerprints"):
        vssid_config(android_cert_fingerprints=[bad])


def test_vneid_reads_the_app_link_settings_from_toml(tmp_path):
    path = tmp_path / "vneid.toml"
    path.write_text(f'android_package = "vn.test"\nandroid_cert_fingerprints = ["{FINGERPRINT}"]\n'
                    'ios_app_ids = ["ABCDE12345.vn.test"]\n', encoding="utf-8")
    config = load_vneid_config(path)
    assert (config.android_package, config.android_cert_fingerprints, config.ios_app_ids) == (
        "vn.test", (FINGERPRINT,), ("ABCDE12345.vn.test",))
