from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "rectify.server"
    label = "server"
    verbose_name = "网站服务"
