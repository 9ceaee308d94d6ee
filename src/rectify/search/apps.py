from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "rectify.search"
    label = "search"
    verbose_name = "搜索与相似问题"

    def ready(self) -> None:
        from .indexing import connect_signals

        # The index is derived data: it is kept out of the audit trail, and follows every save.
        connect_signals()
