from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Pages du portail"

    def ready(self) -> None:
        # Django's documented place to connect signals, once the models are loaded.
        from home.navigation import menu_receivers_connect

        menu_receivers_connect()
