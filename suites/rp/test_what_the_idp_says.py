"""What the relying party makes of the IdP's words: text shown escaped, never as markup (RP-25),
and userinfo's claims used only for the ID token's subject (RP-26)."""

from __future__ import annotations

import secrets

import pytest
from selectolax.lexbor import LexborHTMLParser

from fixtures.checks import requests_to, should
from fixtures.oracle import masked_id_number
from fixtures.systems import not_applicable
from fixtures.verdicts import check


def _markup_probe() -> tuple[str, str]:
    """A marker and markup carrying it: an element and a script, which must never become
    elements of the RP's page."""
    marker = f"kitprobe{secrets.token_hex(6)}"
    return marker, (f'Lỗi <img id="{marker}-img" src="x:" alt="{marker}">'
                    f'<script id="{marker}-script">window.{marker}=1</script> {marker}')


def _rendered(html: str, marker: str) -> list[str]:
    """The probe's elements the page holds as elements (markup rendered, not escaped)."""
    tree = LexborHTMLParser(html)
    return [f"<{node.tag} id={node.attributes.get('id')!r}>"
            for node in tree.css(f"#{marker}-img, #{marker}-script")]


@pytest.mark.req("RP-25")
def test_an_error_description_is_never_markup_and_not_shown_as_is(rp, personas):
    """An error response whose error_description carries markup (from the IdP, or from anyone
    who crafts the error redirect with the attempt's state): the RP's own message, escaped."""
    marker, markup = _markup_probe()
    _, back = rp.callback_for(personas["l2_active"])
    forged = back.with_params(drop=("code",), error="access_denied",
                              error_description=markup)
    page = rp.deliver_raw(forged)
    rendered = _rendered(page.page_source(), marker)
    check(not rendered, "RP-25", "the error_description shown escaped or not at all",
          f"its markup rendered as elements of the page: {', '.join(rendered)}")
    should(marker not in page.page_text(), "RP-25/description-not-shown",
           "the RP's own message for access_denied, not the IdP's error_description",
           "the error_description's text on the screen the person sees")


@pytest.mark.req("RP-25")
def test_a_name_from_the_idp_is_never_markup(rp, personas, kit_vneid):
    """VNeID's claims for the person (their name) carrying markup: escaped on the home screen."""
    person = personas["l2_active"]
    marker, markup = _markup_probe()
    record = next((r for r in kit_vneid.personas() if r["id_number"] == person.id_number), None)
    if record is None:
        not_applicable("the kit's VNeID holds no persona l2_active to give a name with markup")
    kit_vneid.put_persona("l2_active", {**{k: v for k, v in record.items()
                                            if k != "failed_attempts"},
                                         "name": f"{person.name} {markup}"})
    # Whatever the RP then shows (its home screen, or a refusal of an RP that links by
    # name), the name's markup must not become elements of the page.
    screen = rp.log_in(person)
    rendered = _rendered(screen.driver.page_source(), marker)
    check(not rendered, "RP-25", "the name VNeID gave shown escaped (or the RP's own)",
          f"its markup rendered as elements of {screen!r}: {', '.join(rendered)}")


@pytest.mark.req("RP-26")
def test_userinfo_for_another_subject_is_not_used(rp, personas, kit_vneid):
    """VNeID's userinfo answers with another person's sub and claims for this person's token:
    the RP must not take them (it may refuse the login, or keep to the ID token's person)."""
    person, other = personas["l2_active"], personas["l1_active"]
    kit_vneid.arm("OTHER_PERSON", id_number=other.id_number)
    rp.log_in(person)
    if not requests_to(kit_vneid.received(), "/userinfo"):
        not_applicable("the relying party did not ask VNeID's userinfo during the login, so no "
                       "userinfo claim can be used: its identity comes from the ID token alone")
    session = rp.session()
    check(not (session.logged_in and session.is_of(other.id_number)), "RP-26",
          f"no session as the person userinfo names ({masked_id_number(other.id_number)}): "
          "its sub is not the ID token's",
          f"{session.shown}, from userinfo's claims")
    if session.logged_in:
        check(session.is_of(person.id_number), "RP-26",
              f"a session, if any, as the ID token's person ({masked_id_number(person.id_number)})",
              session.shown)
