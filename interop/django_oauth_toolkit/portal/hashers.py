"""The password hasher of this test deployment.

Django's production default is PBKDF2-SHA256 at 1,000,000 iterations (Django 5.2): about half
a second of CPU for each password checked, and django-oauth-toolkit hashes client secrets the
same way, so every login through this IdP paid for two. A test deployment lowers the cost, as
Django's own documentation advises for tests; the algorithm and what the kit judges (the
protocol, the screens) are unchanged.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class TestDeploymentPBKDF2Hasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 at a test deployment's cost."""

    iterations = 20_000
