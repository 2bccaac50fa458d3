"""Seeded defects: switches that break exactly one requirement, for the kit's own tests.

The one list of them (stubs/defect_catalogue.py gives the shape): the README's defects table,
the config's check of `defects = [...]`, `VneidConfig.has_defect`, the control plane's
`GET /_stub/defects` and the kit's self-check (tests/selfcheck) all read `CATALOGUE`.
"""

from __future__ import annotations

from stubs.defect_catalogue import Defect, DefectCatalogue

CATALOGUE = DefectCatalogue("stub VNeID", (
    Defect("redirect_uri_prefix_match", "IDP-01",
           "a `redirect_uri` that merely starts with a registered one is accepted"),
    Defect("redirect_on_unknown_client", "IDP-02",
           "unknown client / redirect → redirect with `error=unauthorized_client` instead of "
           "the error page"),
    Defect("pkce_not_required", "IDP-03", "missing challenge and `plain` accepted"),
    Defect("pkce_verifier_not_checked", "IDP-03", "any `code_verifier` accepted"),
    Defect("codes_reusable", "IDP-04", "a code can be redeemed again"),
    Defect("codes_never_expire", "IDP-04", "`code_ttl_seconds` ignored"),
    Defect("code_not_bound_to_client", "IDP-04", "another client can redeem the code"),
    Defect("code_not_bound_to_redirect_uri", "IDP-04",
           "`redirect_uri` at the token endpoint not compared"),
    Defect("iss_omitted", "IDP-05", "no `iss` in authorization responses"),
    Defect("iss_not_advertised", "IDP-05",
           "metadata lacks `authorization_response_iss_parameter_supported`"),
    Defect("state_dropped", "IDP-06", "`state` not returned"),
    Defect("state_truncated", "IDP-06", "only the first 8 characters of `state` returned"),
    Defect("level1_tokens_issued", "IDP-07",
           "level 1 asked for level 2 gets consent and a level 1 token"),
    Defect("id_token_missing_nonce", "IDP-08", "no `nonce` in the ID token"),
    Defect("id_token_missing_id_number", "IDP-08", "no ID number claim in the ID token"),
    Defect("jwks_drops_previous_key", "IDP-08",
           "the JWKS publishes only the current key during a rotation"),
    Defect("issuer_mismatch", "IDP-09",
           "discovery `issuer` has a trailing `/` the tokens and responses lack"),
    Defect("consent_skipped", "IDP-11",
           "the code is handed back right after the passcode, no consent screen"),
    Defect("cancel_not_access_denied", "IDP-12",
           "decline hands back `error=interaction_required`"),
    Defect("no_lockout", "IDP-13", "wrong attempts are counted but never lock"),
    Defect("malformed_input_500", "IDP-14", "malformed parameters get a bare HTTP 500"),
    # The next two (and nine_digit_id_accepted) miss a SHOULD only: the kit reports a warning
    # under the recommendation's key, and a failure only when that key is escalated.
    Defect("wrong_method_404", "IDP-14",
           "a wrong method on an endpoint is answered 404 instead of 405", "IDP-14/405"),
    Defect("replay_keeps_tokens", "IDP-04",
           "a replayed code is refused but the tokens it gave stay valid",
           "IDP-04/revoke-on-replay"),
    Defect("version_string_compare", "APP-08",
           "VNeID versions compared as strings (`10.0` < `2.1.0`)"),
    Defect("version_min_exclusive", "N-VER-1", "2.1.0 itself refused"),
    # A 9-digit old ID is looked up as credentials (and so refused as "wrong ID number or
    # password"), not refused as input: it logs no one in, but counts towards a lockout.
    Defect("nine_digit_id_accepted", "APP-07",
           "a 9-digit number is looked up instead of refused with its message",
           "APP-07/refused-as-input"),
    Defect("id_number_leading_zeros_dropped", "APP-07",
           "the ID number goes through `int()` (leading zeros lost)"),
    Defect("app_links_unverified", "APP-01",
           "`assetlinks.json` names another package (`com.example.unrelated`) and "
           "`apple-app-site-association` answers 404"),
    Defect("not_installed_dead_end", "APP-06",
           "the not-installed screen shows neither `store-link` nor `web-fallback`"),
    Defect("web_fallback_off_origin", "APP-06",
           "the not-installed screen's `web-fallback` points to `off_origin_fallback_url` "
           "(plain http, another host)"),
))
