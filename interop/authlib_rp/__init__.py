"""A VssID backend built the way a vendor would build it on Authlib's Starlette OAuth client.

It is a system under test for the kit, not part of the kit: its own paths
(``/dang-nhap``, ``/auth/return``, ``/tai-khoan``), its own markup (ids and classes, no
``data-screen`` / ``data-testid``) and no session JSON endpoint. Authlib does the OpenID
Connect work it offers (state in the browser's session, PKCE S256, nonce, the code exchange
with ``client_secret_basic``, the ID token's signature and claims); the vendor's glue in
:mod:`interop.authlib_rp.vneid` adds what Authlib leaves to the application (README.md).

Run it from the project root as ``python -m interop.authlib_rp --issuer URL ...``; the flags
are in :mod:`interop.authlib_rp.config`.
"""
