"""Gunicorn, started from inside the `rectify` command instead of its own command line.

One process tree for systemd (Type=notify: gunicorn tells it when it is listening), the options from
the settings (which read and check the environment, in Chinese), and the master already holding the
loaded project when it forks the workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from gunicorn.app.base import BaseApplication


@dataclass(frozen=True)
class Sizing:
    bind: str
    workers: int
    threads: int
    timeout: int


def gunicorn_options(sizing: Sizing) -> dict[str, Any]:
    """Gunicorn's settings for the site behind nginx."""
    return {
        "bind": [sizing.bind],
        "workers": sizing.workers,
        # Threads in each worker process (gunicorn's "gthread" worker).
        "worker_class": "gthread",
        "threads": sizing.threads,
        "timeout": sizing.timeout,
        # On SIGTERM (systemctl stop/restart) a request in flight may finish.
        "graceful_timeout": sizing.timeout,
        # nginx keeps its connections to the upstream open (keepalive in deploy/nginx/rectify.conf).
        "keepalive": 75,
        # A worker is replaced after about a thousand requests: a slow leak of memory cannot grow for ever.
        "max_requests": 1000,
        "max_requests_jitter": 100,
        # Requests to standard output, errors to standard error: systemd's journal keeps both (nginx's
        # log keeps the clients' addresses).
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "rectify",
        # systemd starts, stops and restarts the server; gunicorn's control socket (in the user's home
        # or runtime directory) would only collide between two servers on one machine.
        "control_socket_disable": True,
    }


class Server(BaseApplication):
    """Gunicorn serving the project with the given options."""

    def __init__(self, config: dict[str, Any]):
        self.config = config
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.config.items():
            self.cfg.set(name, value)

    def load(self) -> WSGIHandler:
        # Django is set up already (this runs inside the `rectify` command); each worker gets its handler.
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()
