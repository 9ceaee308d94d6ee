from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "rectify.insights"
    label = "insights"
    verbose_name = "数据看板"
