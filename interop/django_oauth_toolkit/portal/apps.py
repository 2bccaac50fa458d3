from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "interop.django_oauth_toolkit.portal"
    label = "portal"
    verbose_name = "Cổng xác thực định danh điện tử"
