"""Django settings, built in code for one start of the server (nothing is read from disk)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from .config import ServerConfig

HERE = Path(__file__).resolve().parent

SCOPES = {
    "openid": "Xác thực danh tính của bạn bằng tài khoản định danh điện tử",
    "profile": "Họ và tên",
    "id_number": "Số định danh cá nhân",
}


def _logging() -> dict[str, Any]:
    """Everything to stderr: stdout carries the one line with the URL, and nothing else."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": "plain"}},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "oauth2_provider": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "oauthlib": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        },
    }


def build(config: ServerConfig, issuer: str, rsa_private_key_pem: str) -> dict[str, Any]:
    """The keyword arguments for `django.conf.settings.configure`."""
    dot = {
        "OIDC_ENABLED": True,
        "OIDC_ISS_ENDPOINT": issuer,
        "OIDC_RSA_PRIVATE_KEY": rsa_private_key_pem,
        "OAUTH2_VALIDATOR_CLASS": "interop.django_oauth_toolkit.portal.validators.CitizenValidator",
        "SCOPES": SCOPES,
        "DEFAULT_SCOPES": ["openid"],
        "PKCE_REQUIRED": True,
        "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
        # Consent is asked once; later requests of a user who holds a live token for the
        # client (covering the same scopes) go straight back to it.
        "REQUEST_APPROVAL_PROMPT": "auto",
        # Advertise only what the registered application may use.
        "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
        "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
        "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    }
    dot.update(config.oauth2_provider)
    return {
        "DEBUG": False,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
            "interop.django_oauth_toolkit.portal",
        ],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "interop.django_oauth_toolkit.urls",
        "TEMPLATES": [{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            # Found before the apps' own templates: this overrides DOT's authorize.html.
            "DIRS": [str(HERE / "templates")],
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]},
        }],
        "DATABASES": {"default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(config.data_dir / "idp.sqlite3"),
        }},
        # A test deployment's hashing cost (portal/hashers.py), for passwords and client secrets.
        "PASSWORD_HASHERS": [
            "interop.django_oauth_toolkit.portal.hashers.TestDeploymentPBKDF2Hasher"],
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "LANGUAGE_CODE": "vi",
        "TIME_ZONE": "Asia/Ho_Chi_Minh",
        "USE_I18N": True,
        "USE_TZ": True,
        "LOGIN_URL": "/accounts/login/",
        "LOGIN_REDIRECT_URL": "/",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_TRUSTED_ORIGINS": [issuer],
        "LOGGING": _logging(),
        "OAUTH2_PROVIDER": dot,
    }
