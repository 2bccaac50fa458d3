"""DOT's request validator with the claims this identity provider adds to the ID token."""

from __future__ import annotations

from typing import ClassVar

from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import ACR_BY_LEVEL


def _citizen(request):
    return getattr(request.user, "citizen", None)


def _name(request) -> str:
    citizen = _citizen(request)
    return citizen.full_name if citizen else request.user.get_full_name()


def _id_number(request) -> str:
    return request.user.get_username()


def _acr(request) -> str:
    citizen = _citizen(request)
    return citizen.acr if citizen else ACR_BY_LEVEL[1]


class CitizenValidator(OAuth2Validator):
    # DOT only puts a claim in the token when the scope it is mapped to was granted.
    oidc_claim_scope: ClassVar[dict[str, str]] = {
        **OAuth2Validator.oidc_claim_scope,
        "acr": "openid",
        "id_number": "id_number",
    }

    def get_additional_claims(self):
        # The request-agnostic form: DOT also lists these names in discovery's claims_supported.
        return {"name": _name, "id_number": _id_number, "acr": _acr}
