from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from project import security  # noqa: F401 - registers the deploy checks of its middleware

        from . import schema  # noqa: F401 - registers the OpenAPI authentication extension
