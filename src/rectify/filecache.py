"""The file cache, the default on one machine: its folder is made by the first write, not at start-up.

Django's FileBasedCache makes its folder when the cache is set up, which Django's own system checks do
for every command: a data folder that cannot be made would stop even `rectify import-notice --dry-run`,
which caches nothing. Writing makes the folder anyway (Django's set() does so each time, since the folder
may be removed at any time) and fails there with the reason; `rectify check` reports the folder first.
"""

import contextlib

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    def __init__(self, dir: str, params: dict) -> None:
        with contextlib.suppress(OSError):  # the folder is all that is left to make when it fails
            super().__init__(dir, params)
