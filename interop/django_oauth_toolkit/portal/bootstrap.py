"""Puts the config's accounts and client applications in the database (idempotent)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from oauth2_provider.models import get_application_model

from ..config import Account, Client
from .models import Citizen


@transaction.atomic
def create_accounts(accounts: tuple[Account, ...]) -> None:
    users = get_user_model()
    for account in accounts:
        user, _ = users.objects.get_or_create(username=account.id_number)
        user.set_password(account.password)
        user.is_active = True
        user.save()
        Citizen.objects.update_or_create(
            user=user, defaults={"full_name": account.name, "level": account.level})


@transaction.atomic
def create_applications(clients: tuple[Client, ...]) -> None:
    applications = get_application_model()
    for client in clients:
        application = (applications.objects.filter(client_id=client.client_id).first()
                       or applications(client_id=client.client_id))
        application.name = client.name
        application.client_type = client.client_type
        application.authorization_grant_type = applications.GRANT_AUTHORIZATION_CODE
        application.client_secret = client.client_secret  # DOT stores a hash of it on save
        application.hash_client_secret = True
        application.redirect_uris = " ".join(client.redirect_uris)
        application.skip_authorization = client.skip_authorization
        application.algorithm = applications.RS256_ALGORITHM
        application.full_clean()
        application.save()
