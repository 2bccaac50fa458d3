"""How the IdP suite judges a request the IdP must refuse: by where the login finally ends.

An IdP may refuse a bad request at once, or only after the person has logged in (it validates
the client, the redirect URI or PKCE late), on its own error page or by an error response to
the client's registered redirect URI where the spec allows one. None of that harms anyone.
What harms is what reaches the attacker or what is issued: the browser sent to a place the
client never registered, or a code for the bad request. So the kit follows the flow as a
person would — logs in, passes the second factor, consents — and judges the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from fixtures.checks import KitError, check, fail, should
from fixtures.drivers.rp_journey import HandOver
from fixtures.drivers.screens import LeftTheApps, Screen, VneidLogin, VneidPasscode
from fixtures.redaction import redact_url


def place(url: str) -> str:
    """scheme://host/path of a URL: where it sends the browser, without its query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


@dataclass(frozen=True)
class End:
    """Where a login at the IdP ended: a hand-back (to which place, with what) or a screen."""

    handed_back: HandOver | None
    screen: Screen | None
    path: str  # the login steps the kit went through, in words

    def __repr__(self) -> str:
        if self.handed_back is not None:
            return f"End(hand-back to {place(self.handed_back.url)}, after {self.path})"
        return f"End({self.screen!r}, after {self.path})"


def follow_to_the_end(idp_screens, url: str, persona) -> End:
    """Open `url`, log `persona` in, approve; where it ends."""
    login = idp_screens.login()
    end = login.follow(url, persona)
    if isinstance(end, LeftTheApps):
        end = HandOver(end.url)
    if isinstance(end, HandOver):
        return End(end, None, str(login.path))
    if isinstance(end, (VneidLogin, VneidPasscode)) and login.path.seen:
        # The IdP refused the persona's own credentials: nothing about the request is known.
        raise KitError(
            f"could not judge: the IdP refused the login of persona {persona.key!r} (it shows "
            f"{end!r} again after {login.path}), so whether it would act on the request is "
            "not known", fix="check the persona's password and second factor in the target file "
            "and that the account is not locked")
    return End(None, end, str(login.path))


def judge_refusal(end: End, registered: str, ids: str | tuple[str, ...], what: str, *,
                  error_page_key: str | None = None,
                  redirect_error: str | None = None) -> None:
    """Pass when nothing reached an unregistered place and nothing was issued.

    `registered`: the client's registered redirect URI (an error response there sends nothing
    to an attacker). `error_page_key`: a recommendation that the IdP answer on an error page
    rather than by redirect (a warning). `redirect_error`: the error code the spec demands in
    an error response that is redirected (RFC 7636 §4.4.1: invalid_request).
    """
    __tracebackhide__ = True
    back = end.handed_back
    if back is None:
        return  # an error page (or any screen of the IdP's own): nothing left the IdP
    evidence = f"the login ended with {end!r}; the link: {redact_url(back.url)}"
    if place(back.url) != place(registered):
        fail(ids, f"{what} refused without sending the browser anywhere but the registered "
                  f"redirect URI {place(registered)}",
             f"the browser sent to {place(back.url)}"
             + (" with a code" if back.param("code") else ""), evidence=evidence)
    check(not back.param("code"), ids, f"{what} refused: no code issued",
          "a code handed back to the registered redirect URI for the bad request",
          evidence=evidence)
    if redirect_error is not None:
        check(back.param("error") == redirect_error, ids,
              f"an error response error={redirect_error} (or an error page)",
              f"error={back.param('error')!r}", evidence=evidence)
    if error_page_key is not None:
        should(False, error_page_key, f"{what} answered on an error page",
               f"an error response redirected to the registered redirect URI "
               f"(error={back.param('error')!r})")
