"""PKCE as the stubs compute it (RFC 7636): one function for both of them.

Kept apart from the kit's own (fixtures/pkce.py) on purpose: the kit judges a stub's PKCE with
its computation, so a mistake shared by both could not hide.
"""

from __future__ import annotations

import base64
import hashlib


def s256_challenge(verifier: str) -> str:
    """The S256 code challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))), unpadded
    (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
