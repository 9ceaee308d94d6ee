from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "rectify.security"
    label = "security"
    verbose_name = "安全事件"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
