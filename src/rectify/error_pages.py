"""How a failure reaches the person who asked: one place for the whole site.

A `RectifyError` raised by a service anywhere below a view becomes the error page with its Chinese
message and status, or `{"detail": …}` under /api/, so views need not catch it. Django's 400/403/404/500
handlers answer JSON in Chinese under /api/ too, also in production where nothing else would."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

from rectify.errors import RectifyError

API_PREFIX = "/api/"

# What an API client reads when Django, not a service, refused the request.
API_MESSAGES = {
    400: "请求的内容格式不正确。",
    403: "您没有权限执行该操作或查看该对象。",
    404: "请求的对象不存在，或您无权查看。",
    500: "系统发生内部错误，已记录在日志中。请稍后重试；如问题持续，请联系系统管理员。",
}


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})


def error_response(request: HttpRequest, error: RectifyError) -> HttpResponse:
    if is_api(request):
        return api_error(error.message, error.status)
    return render(request, "error.html", {"message": error.message}, status=error.status)


class RectifyErrorMiddleware:
    """Turns a `RectifyError` that left a view into the page or JSON that says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RectifyError):
            return error_response(request, exception)
        return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(API_MESSAGES[400], 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(API_MESSAGES[403], 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(API_MESSAGES[404], 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return api_error(API_MESSAGES[500], 500)
    return defaults.server_error(request)
