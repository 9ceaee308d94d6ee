from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "rectify.search"
    label = "search"
    verbose_name = "搜索与相似问题"
