"""The catalogue of defect switches: each one breaks exactly one relying-party requirement.

One `stubs.defect_catalogue.DefectCatalogue` of `Defect(name, requirement, effect,
recommendation)`: the config's check of `defects = [...]`, `VssidConfig.has_defect`, the README's
table, the kit's self-check (tests/selfcheck) and the control plane's `GET …/defects` read it.
"""

from __future__ import annotations

from stubs.defect_catalogue import Defect, DefectCatalogue

__all__ = ["CATALOGUE", "Defect"]

CATALOGUE = DefectCatalogue("reference VssID", (
    Defect("token_in_url", "RP-01",
           "after login, redirects to /app/home with the ID token in the URL (front channel)"),
    Defect("opaque_token_in_url", "RP-01",
           "after login, redirects to /app/home with the access token under an unusual name "
           "(?ref=…): no token name, no JWT shape, only the exact value tells"),
    Defect("pkce_plain", "RP-02",
           "sends code_challenge_method=plain (challenge = verifier)"),
    Defect("pkce_verifier_reused", "RP-02",
           "reuses one PKCE verifier for every attempt instead of a fresh one"),
    Defect("state_unchecked", "RP-03",
           "accepts a callback whatever its state (missing, wrong, or unbound)"),
    Defect("state_guessable", "RP-03",
           "uses a short, predictable state (a counter)"),
    Defect("nonce_unchecked", "RP-04",
           "does not compare the ID token's nonce with the attempt's"),
    Defect("custom_scheme_redirect", "RP-05",
           "uses a private-use scheme redirect_uri (vn.gov.vssid:/callback) instead of https"),
    Defect("iss_param_unchecked", "RP-06",
           "ignores the iss authorization response parameter (wrong or missing)"),
    Defect("iss_param_missing_accepted", "RP-06",
           "accepts a response without iss although the IdP advertises it"),
    Defect("token_retried_on_invalid_grant", "RP-07",
           "redeems the code a second time after invalid_grant"),
    Defect("id_token_iss_unchecked", "RP-08",
           "does not check the ID token's iss"),
    Defect("aud_unchecked", "RP-09",
           "does not check the ID token's aud (any or extra audiences accepted)"),
    Defect("azp_unchecked", "RP-09",
           "does not check the ID token's azp", "RP-09/azp-checked"),
    Defect("signature_unchecked", "RP-10",
           "does not verify the ID token signature at all"),
    Defect("jwks_not_refetched", "RP-10",
           "never re-fetches the JWKS on an unknown kid (a rotated key is refused)"),
    Defect("alg_none_accepted", "RP-11",
           "accepts an unsigned ID token (alg: none)"),
    Defect("expired_accepted", "RP-12",
           "accepts an ID token whose exp has passed"),
    Defect("iat_unchecked", "RP-12",
           "accepts any iat, however far from now"),
    Defect("acr_not_requested", "RP-13",
           "does not send acr_values in the authorization request"),
    Defect("any_acr_accepted", "RP-13",
           "accepts an ID token whatever its acr"),
    Defect("idp_errors_generic", "RP-14",
           "shows every IdP error as IDP_ERROR instead of its own outcome"),
    Defect("link_by_name", "RP-15",
           "links the account by the (unverified) name claim instead of the ID number"),
    Defect("link_by_phone", "RP-15",
           "links the account by the phone_number claim (a phone shared in a family opens "
           "another person's account) instead of the ID number"),
    Defect("follow_next_param", "RP-18",
           "after the callback, redirects to the URL in a next / return_to parameter"),
    Defect("attempt_reusable", "RP-19",
           "keeps an attempt after its callback, so the same state is accepted twice"),
    Defect("attempt_never_expires", "RP-19",
           "accepts a callback however late"),
    Defect("client_secret_in_app", "RP-20",
           "ships the client secret to the app (in the login screen's HTML)"),
    Defect("secrets_logged", "RP-21",
           "logs the authorization code, state and ID token"),
    Defect("version_string_compare", "APP-08",
           "compares app versions as strings (1.6.10 < 1.6.7)"),
    Defect("version_min_exclusive", "APP-08",
           "treats the minimum version as exclusive (1.6.7 refused)"),
    Defect("app_links_unverified", "APP-01",
           "the association files do not verify the app: assetlinks.json names another "
           "package and apple-app-site-association is missing (404)"),
    Defect("account_status_ignored", "N-ELIG-1",
           "opens a session for a pending or locked VssID account as if it were active"),
    Defect("handover_custom_scheme", "RP-17",
           "hands over through a private-use scheme (vneid://…) instead of VNeID's verified "
           "https app link"),
    Defect("unreadable_version_accepted", "APP-08",
           "lets a version string it cannot read (empty, spaces around it, v1.6.7) through "
           "the server's gate instead of refusing it", "APP-08/unreadable-refused"),
    Defect("session_fixation", "RP-22",
           "keeps the session id the browser brought to the login (planted or issued before) "
           "as the logged-in session instead of issuing a new one"),
    Defect("weak_session_cookie", "RP-23",
           "sets the session cookie without Secure, HttpOnly and SameSite"),
    Defect("logout_keeps_session", "RP-24",
           "logout clears the cookie but keeps the session on the server (the old cookie "
           "still reads the person's data)"),
    Defect("error_description_raw", "RP-25",
           "shows the callback's error_description on the outcome screen as markup"),
    Defect("userinfo_sub_unchecked", "RP-26",
           "takes the person's claims from userinfo without checking that its sub is the ID "
           "token's"),
    Defect("version_gate_ui_only", "N-VER-2",
           "hides the button for old versions but the server does not enforce the minimum"),
))
