from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "rectify.notices"
    label = "notices"
    verbose_name = "整改通报"
