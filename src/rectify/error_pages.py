"""How a failure reaches the person who asked: one place for the whole site.

A `RectifyError` raised by a service anywhere below a view becomes the error page with its Chinese
message and status, or `{"detail": …}` under /api/, so views need not catch it. Django's 400/403/404/500
handlers answer JSON in Chinese under /api/ too, also in production where nothing else would.

The error path never fails itself: when an error page cannot be drawn (its template extends the site's
layout, whose {% static %} needs the static files manifest; a broken template), the status stays what
it was and a plain page says it in Chinese. A request with a Host not in ALLOWED_HOSTS is a 400, never
a 500 because the 400 page could not find its stylesheet.

A database that cannot serve (read-only, full, unreachable, not migrated) answers 503 and logs why: from
a view through the middleware, from another middleware (a session or login read before any view) through
the 500 handler, which Django calls for those."""

import json
import logging
import sys
from collections.abc import Callable
from html import escape

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import csrf, defaults

from rectify.checks import database_trouble
from rectify.errors import InvalidInput, RectifyError
from rectify.security.models import Kind
from rectify.security.services import record

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

# What an API client reads when Django, not a service, refused the request.
API_MESSAGES = {
    400: "请求的内容格式不正确。",
    403: "您没有权限执行该操作或查看该对象。",
    404: "请求的对象不存在，或您无权查看。",
    500: "系统发生内部错误，已记录在日志中。请稍后重试；如问题持续，请联系系统管理员。",
    503: "数据库暂时无法使用，本次操作未能完成，已记录在日志中。请稍后重试；如问题持续，请联系系统管理员。",
}
NUL_MESSAGE = "提交的内容含有空字符（\\0），请删除后重新提交。"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})


def record_denial(request: HttpRequest, reason: str) -> None:
    """A 403 is a security event: who was refused what (rectify.security)."""
    record(Kind.ACCESS_DENIED, request=request, detail={"method": request.method, "reason": reason[:200]})


def error_response(request: HttpRequest, error: RectifyError) -> HttpResponse:
    if error.status == 403:
        record_denial(request, error.message)
    if is_api(request):
        return api_error(error.message, error.status)
    return render(request, "error.html", {"message": error.message}, status=error.status)


def database_unavailable(
    request: HttpRequest, error: BaseException, traceback: bool = True
) -> HttpResponse | None:
    """503 when `error` says the database cannot serve, with the cause in the log (and its traceback unless
    Django logs that itself); None for any other error. The page is drawn from nothing in the database (no
    base template, no context processors)."""
    reason = database_trouble(error)
    if reason is None:
        return None
    logger.error(
        "数据库不可用，%s %s 答复 503：%s",
        request.method,
        request.path,
        reason,
        exc_info=error if traceback else None,
    )
    if is_api(request):
        return api_error(API_MESSAGES[503], 503)
    return HttpResponse(render_to_string("503.html", {"message": API_MESSAGES[503]}), status=503)


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def sends_nul(request: HttpRequest) -> bool:
    """Whether the query string or a JSON body carries the NUL character, which PostgreSQL can neither
    store nor compare (SQLite can: refusing it on both keeps them alike). Form fields refuse it already
    (Django's CharField), and reading a form body here would parse uploads before their handlers."""
    if any(_holds_nul(key) or _holds_nul(values) for key, values in request.GET.lists()):
        return True
    if request.content_type != "application/json" or b"\\u0000" not in request.body:
        return False  # JSON can only carry a NUL as that escape
    try:
        return _holds_nul(json.loads(request.body))
    except ValueError:
        return False  # not JSON: the API says so itself


class RectifyErrorMiddleware:
    """Turns a `RectifyError` or a database failure that left a view into the page or JSON that says why;
    refuses a NUL character before any view can pass it to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if sends_nul(request):
            return error_response(request, InvalidInput(NUL_MESSAGE))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RectifyError):
            return error_response(request, exception)
        return database_unavailable(request, exception)


# Title and message of each page when its template cannot be drawn (the same words as the templates).
PLAIN_PAGES = {
    400: ("请求无效", "请求的内容格式不正确，请返回上一页重试。"),
    403: ("无权访问", "您没有权限执行该操作或查看该页面。如需开通权限，请联系本单位整改办。"),
    404: ("页面不存在", "您访问的页面不存在，或您无权查看。"),
    500: ("系统暂时无法处理您的请求", API_MESSAGES[500]),
}


def plain_page(status: int, title: str = "", message: str = "") -> HttpResponse:
    """A page that needs no template, no static file and no database."""
    default_title, default_message = PLAIN_PAGES[status]
    title, message = escape(title or default_title), escape(message or default_message)
    return HttpResponse(
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="utf-8">'
        f"<title>{title} · 巡察整改督办平台</title></head>\n"
        f'<body>\n<main>\n<h1>{title}</h1>\n<p>{message}</p>\n<p><a href="/">返回首页</a></p>\n</main>\n'
        "</body>\n</html>\n",
        status=status,
    )


def _page(status: int, draw: Callable[[], HttpResponse], title: str = "", message: str = "") -> HttpResponse:
    try:
        return draw()
    except Exception:
        logger.exception("%s 错误页无法生成，改用纯文本页面。", status)
        return plain_page(status, title, message)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(API_MESSAGES[400], 400)
    return _page(400, lambda: defaults.bad_request(request, exception))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    record_denial(request, str(exception) or PLAIN_PAGES[403][1])
    if is_api(request):
        return api_error(API_MESSAGES[403], 403)
    return _page(403, lambda: defaults.permission_denied(request, exception))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(API_MESSAGES[404], 404)
    return _page(404, lambda: defaults.page_not_found(request, exception))


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, which may be a database failure in a middleware;
    # it logs the traceback itself along with this answer.
    failure = sys.exc_info()[1]
    if failure is not None and (response := database_unavailable(request, failure, traceback=False)):
        return response
    if is_api(request):
        return api_error(API_MESSAGES[500], 500)
    return _page(500, lambda: defaults.server_error(request))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's page (templates/403_csrf.html), or the plain one if it cannot be drawn."""
    record_denial(request, f"CSRF：{reason}")
    return _page(
        403,
        lambda: csrf.csrf_failure(request, reason),
        "页面已过期，请刷新后重试",
        "为保护您的账户安全，提交需要有效的页面凭据（CSRF）。请返回上一页、刷新后再提交。",
    )
