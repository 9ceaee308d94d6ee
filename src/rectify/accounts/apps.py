from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rectify.accounts"
    label = "accounts"
    verbose_name = "账户安全"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from . import services
        from .models import remember_password

        post_save.connect(
            remember_password, sender=get_user_model(), dispatch_uid="rectify.accounts.remember"
        )
        # Every login (the login page, the admin's, a test's force_login) decides here what it still owes.
        user_logged_in.connect(services.on_login, dispatch_uid="rectify.accounts.on_login")
