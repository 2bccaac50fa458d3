"""The URL conf: DOT's endpoints at the root (so the issuer is the bare origin), the login page."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from oauth2_provider import urls as dot_urls

from .portal import views

# DOT's protocol endpoints only; its application-management pages are not exposed.
provider = (
    dot_urls.metadata_urlpatterns + dot_urls.base_urlpatterns + dot_urls.oidc_urlpatterns,
    "oauth2_provider",
)

urlpatterns = [
    path("", include(provider)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("", views.home, name="home"),
]
