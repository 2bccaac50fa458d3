"""Seeded defects: switches that break exactly one requirement, for the kit's own tests."""

from __future__ import annotations

from enum import Enum


class Defect(Enum):
    """One way the stub VNeID can break a requirement; the value is the config name."""

    REDIRECT_URI_PREFIX_MATCH = "redirect_uri_prefix_match"
    REDIRECT_ON_UNKNOWN_CLIENT = "redirect_on_unknown_client"
    PKCE_NOT_REQUIRED = "pkce_not_required"
    PKCE_VERIFIER_NOT_CHECKED = "pkce_verifier_not_checked"
    CODES_REUSABLE = "codes_reusable"
    CODES_NEVER_EXPIRE = "codes_never_expire"
    CODE_NOT_BOUND_TO_CLIENT = "code_not_bound_to_client"
    CODE_NOT_BOUND_TO_REDIRECT_URI = "code_not_bound_to_redirect_uri"
    ISS_OMITTED = "iss_omitted"
    ISS_NOT_ADVERTISED = "iss_not_advertised"
    STATE_DROPPED = "state_dropped"
    STATE_TRUNCATED = "state_truncated"
    LEVEL1_TOKENS_ISSUED = "level1_tokens_issued"
    ID_TOKEN_MISSING_NONCE = "id_token_missing_nonce"
    ID_TOKEN_MISSING_ID_NUMBER = "id_token_missing_id_number"
    JWKS_DROPS_PREVIOUS_KEY = "jwks_drops_previous_key"
    ISSUER_MISMATCH = "issuer_mismatch"
    CONSENT_SKIPPED = "consent_skipped"
    CANCEL_NOT_ACCESS_DENIED = "cancel_not_access_denied"
    NO_LOCKOUT = "no_lockout"
    MALFORMED_INPUT_500 = "malformed_input_500"
    VERSION_STRING_COMPARE = "version_string_compare"
    VERSION_MIN_EXCLUSIVE = "version_min_exclusive"
    NINE_DIGIT_ID_ACCEPTED = "nine_digit_id_accepted"
    ID_NUMBER_LEADING_ZEROS_DROPPED = "id_number_leading_zeros_dropped"
    APP_LINKS_UNVERIFIED = "app_links_unverified"
    NOT_INSTALLED_DEAD_END = "not_installed_dead_end"
    WEB_FALLBACK_OFF_ORIGIN = "web_fallback_off_origin"
    # Misses a SHOULD only: the kit reports a warning, not a failure (DEFECT_RECOMMENDATIONS).
    WRONG_METHOD_404 = "wrong_method_404"
    REPLAY_KEEPS_TOKENS = "replay_keeps_tokens"


# Which requirement each defect breaks; the README table is written from this.
DEFECT_REQUIREMENTS: dict[Defect, str] = {
    Defect.REDIRECT_URI_PREFIX_MATCH: "IDP-01",
    Defect.REDIRECT_ON_UNKNOWN_CLIENT: "IDP-02",
    Defect.PKCE_NOT_REQUIRED: "IDP-03",
    Defect.PKCE_VERIFIER_NOT_CHECKED: "IDP-03",
    Defect.CODES_REUSABLE: "IDP-04",
    Defect.CODES_NEVER_EXPIRE: "IDP-04",
    Defect.CODE_NOT_BOUND_TO_CLIENT: "IDP-04",
    Defect.CODE_NOT_BOUND_TO_REDIRECT_URI: "IDP-04",
    Defect.ISS_OMITTED: "IDP-05",
    Defect.ISS_NOT_ADVERTISED: "IDP-05",
    Defect.STATE_DROPPED: "IDP-06",
    Defect.STATE_TRUNCATED: "IDP-06",
    Defect.LEVEL1_TOKENS_ISSUED: "IDP-07",
    Defect.ID_TOKEN_MISSING_NONCE: "IDP-08",
    Defect.ID_TOKEN_MISSING_ID_NUMBER: "IDP-08",
    Defect.JWKS_DROPS_PREVIOUS_KEY: "IDP-08",
    Defect.ISSUER_MISMATCH: "IDP-09",
    Defect.CONSENT_SKIPPED: "IDP-11",
    Defect.CANCEL_NOT_ACCESS_DENIED: "IDP-12",
    Defect.NO_LOCKOUT: "IDP-13",
    Defect.MALFORMED_INPUT_500: "IDP-14",
    Defect.VERSION_STRING_COMPARE: "APP-08",
    Defect.VERSION_MIN_EXCLUSIVE: "N-VER-1",
    Defect.NINE_DIGIT_ID_ACCEPTED: "APP-07",
    Defect.ID_NUMBER_LEADING_ZEROS_DROPPED: "APP-07",
    Defect.APP_LINKS_UNVERIFIED: "APP-01",
    Defect.NOT_INSTALLED_DEAD_END: "APP-06",
    Defect.WEB_FALLBACK_OFF_ORIGIN: "APP-06",
    Defect.WRONG_METHOD_404: "IDP-14",
    Defect.REPLAY_KEEPS_TOKENS: "IDP-04",
}

# Defects that miss a recommendation of their requirement (a SHOULD of the cited clause): the
# kit must report them as a warning under that key, and as a failure only when escalated.
DEFECT_RECOMMENDATIONS: dict[Defect, str] = {
    Defect.WRONG_METHOD_404: "IDP-14/405",
    Defect.REPLAY_KEEPS_TOKENS: "IDP-04/revoke-on-replay",
    # A 9-digit old ID is looked up as credentials (and so refused as "wrong ID number or
    # password"), not refused as input: it logs no one in, but counts towards a lockout.
    Defect.NINE_DIGIT_ID_ACCEPTED: "APP-07/refused-as-input",
}
