"""The stub VNeID's signing keys: the current one, rotation, and the published JWKS."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from joserfc import jwk

_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


@dataclass(frozen=True)
class RetiredKey:
    """A key that no longer signs but stays in the JWKS until its overlap ends."""

    key: jwk.ECKey
    published_until: float


def generate_signing_key(alg: str) -> jwk.ECKey:
    """A fresh private key for the algorithm, with a random `kid`."""
    kid = "vneid-" + secrets.token_urlsafe(9)
    return jwk.ECKey.generate_key(_CURVES[alg], parameters={"kid": kid}, private=True)


def load_signing_key(path: Path, alg: str) -> jwk.ECKey:
    """A private key from a PEM or JWK JSON file; its `kid` is its thumbprint if it has none."""
    raw = Path(path).read_bytes()
    key = jwk.ECKey.import_key(raw)
    if key.get("crv") != _CURVES[alg]:
        raise ValueError(f"signing_key_file: key curve does not match signing_alg {alg}")
    if not key.kid:
        key = jwk.ECKey.import_key(raw, parameters={"kid": key.thumbprint()})
    return key


class SigningKeys:
    """The key that signs now, plus the retired keys the JWKS still publishes."""

    def __init__(self, initial: jwk.ECKey, alg: str, clock: Callable[[], float]) -> None:
        self.alg = alg
        self._initial = initial
        self._clock = clock
        self.current = initial
        self._retired: list[RetiredKey] = []

    def reset(self) -> None:
        """Back to the key the stub started with; retired keys forgotten."""
        self.current = self._initial
        self._retired = []

    def rotate(self, overlap_seconds: float) -> jwk.ECKey:
        """Sign with a new key from now on; publish the old one for `overlap_seconds` more."""
        self._retired.append(RetiredKey(self.current, self._clock() + overlap_seconds))
        self.current = generate_signing_key(self.alg)
        return self.current

    def published(self) -> list[jwk.ECKey]:
        """The keys a relying party may verify with: current first, then retired in overlap."""
        now = self._clock()
        self._retired = [r for r in self._retired if r.published_until > now]
        return [self.current, *(r.key for r in reversed(self._retired))]

    def jwks(self) -> dict:
        """The public JWKS document."""
        keys = []
        for key in self.published():
            public = key.as_dict(private=False)
            public.update({"use": "sig", "alg": self.alg})
            keys.append(public)
        return {"keys": keys}
