from django.apps import AppConfig


class RecurrenceConfig(AppConfig):
    name = "rectify.recurrence"
    label = "recurrence"
    verbose_name = "举一反三"
