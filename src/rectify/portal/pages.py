"""The portal's pages kept rendered in the cache, with HTTP validators.

A published notice never changes, and the list changes only when a notice is published: a page is
kept for RECTIFY_PORTAL_CACHE_SECONDS with notices.publishing.public_version() (which changes on every
publication; a page of another version is rendered again), so a reader gets it without a database
query, a template or a session write. The view count a notice page shows is the one of its last
rendering (at most that long ago).
Each answer carries an ETag and Last-Modified (the moment of the rendering), so a browser or proxy
asking again gets 304, and Cache-Control public for a reader who is not signed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from rectify.notices import publishing


@dataclass(frozen=True)
class Page:
    version: str  # publishing.public_version() when it was rendered
    content: bytes
    content_type: str
    etag: str
    last_modified: int  # seconds since the epoch

    @classmethod
    def of(cls, response: HttpResponse, version: str) -> Page:
        return cls(
            version=version,
            content=response.content,
            content_type=response["Content-Type"],
            etag='"' + hashlib.sha256(response.content).hexdigest()[:32] + '"',
            last_modified=int(timezone.now().timestamp()),
        )

    def respond(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(self.content, content_type=self.content_type)
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.last_modified)
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
        seconds = settings.RECTIFY_PORTAL_CACHE_SECONDS
        response["Cache-Control"] = f"{'private' if signed_in else 'public'}, max-age={seconds}"
        return get_conditional_response(
            request, etag=self.etag, last_modified=self.last_modified, response=response
        )


def key(name: str, *parts: object) -> str:
    return ":".join(["portal", name, *map(str, parts)])


def cached(
    request: HttpRequest,
    page_key: str | None,
    build: Callable[[], HttpResponse],
    on_hit: Callable[[], None] | None = None,
) -> HttpResponse:
    """The page under `page_key` from the cache if rendered under the current public version (calling
    `on_hit`), or built and, when it answers 200, kept there; `page_key` None: built each time (a
    query the cache should not keep). The version and the page are read in one round trip."""
    found = cache.get_many([publishing.PUBLIC_VERSION_KEY, page_key] if page_key else [])
    version = found.get(publishing.PUBLIC_VERSION_KEY) or publishing.public_version()
    page = found.get(page_key)
    if page is None or page.version != version:
        response = build()
        if response.status_code != 200 or page_key is None:
            return response
        page = Page.of(response, version)
        cache.set(page_key, page, settings.RECTIFY_PORTAL_CACHE_SECONDS)
    elif on_hit is not None:
        on_hit()
    return page.respond(request)
