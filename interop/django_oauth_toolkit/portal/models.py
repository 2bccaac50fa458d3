from django.conf import settings
from django.db import models

# The assurance level of an account, as the `acr` value the ID token carries.
ACR_BY_LEVEL = {1: "urn:vn:vneid:loa:1", 2: "urn:vn:vneid:loa:2"}


class Citizen(models.Model):
    """What the identity provider knows of a person beyond Django's user (username = ID number)."""

    LEVELS = ((1, "Mức 1"), (2, "Mức 2"))

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="citizen")
    full_name = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(choices=LEVELS, default=1)

    @property
    def acr(self) -> str:
        return ACR_BY_LEVEL[self.level]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.user.username}, mức {self.level})"
