"""A VNeID-like identity provider built the way a vendor would build one with Django and
django-oauth-toolkit (DOT), OpenID Connect switched on.

It is a system under test for the kit, not part of the kit: its pages use its own markup (no
``data-screen`` / ``data-testid``), and its behaviour is DOT's stock behaviour wherever the
configuration below does not say otherwise.

Run it from the project root as ``python -m interop.django_oauth_toolkit CONFIG.json``; the
config's keys are described in :mod:`interop.django_oauth_toolkit.config`.
"""
