"""The REST API under /api/v1/: one router per app, mounted here, answering errors in Chinese."""

from django.contrib.auth import authenticate
from django.db import DatabaseError, InterfaceError
from django.http import Http404
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rectify.accountability.api import router as accountability_router
from rectify.accounts.services import check_token_request
from rectify.audit.api import router as audit_router
from rectify.error_pages import API_MESSAGES, api_error, database_unavailable, error_response, record_denial
from rectify.errors import RectifyError
from rectify.evaluation.api import router as evaluation_router
from rectify.feedback.api import router as feedback_router
from rectify.feedback.consultations.api import router as consultation_router
from rectify.feedback.public_api import router as public_feedback_router
from rectify.insights.api import router as insights_router
from rectify.ledger.api import router as ledger_router
from rectify.ledger.excel_api import router as ledger_excel_router
from rectify.ledger.mechanism_api import router as mechanism_router
from rectify.meetings.api import router as meetings_router
from rectify.notices.api import router as notices_router
from rectify.notices.publication_api import public_router as public_notices_router
from rectify.notices.publication_api import router as publications_router
from rectify.org.lockout import MESSAGE as LOCKED_MESSAGE
from rectify.progress.api import router as progress_router
from rectify.progress.milestone_api import router as milestone_router
from rectify.recurrence.api import router as recurrence_router
from rectify.reports.api import router as reports_router
from rectify.schemas import Message
from rectify.search.api import router as search_router
from rectify.security.models import Kind
from rectify.security.services import record
from rectify.supervision.api import router as supervision_router
from rectify.supervision.dispatch_api import router as dispatch_router
from rectify.supervision.extension_api import router as extension_router
from rectify.supervision.order_api import router as order_router

from .auth import BearerToken, BrowserSession
from .models import ApiToken


class RectifyAPI(NinjaAPI):
    """Documents, on every operation, the answers its one handler per failure gives: 401 where a login
    is needed, 404 where the path names an object, 400 and 422 where parameters or a body are read."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        message = {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                parameters = operation.get("parameters", [])
                answers = operation["responses"]
                if operation.get("security"):
                    answers.setdefault(401, {"description": "未登录或令牌无效、已过期", "content": message})
                if any(parameter["in"] == "path" for parameter in parameters):
                    answers.setdefault(404, {"description": "对象不存在，或您无权查看", "content": message})
                if parameters or "requestBody" in operation:
                    answers.setdefault(
                        400,
                        {"description": "请求内容无效：不是有效的 JSON，或含有空字符", "content": message},
                    )
                    answers.setdefault(422, {"description": "请求参数有误", "content": message})
        return schema


api = RectifyAPI(
    title="巡察整改督办平台接口",
    version="1",
    description="认证：先以用户名和密码调用 `POST /api/v1/auth/token` 取得令牌，再在请求头中带上 "
    "`Authorization: Bearer <令牌>`。浏览器内已登录的会话也可调用（需 CSRF 令牌）。"
    "错误以 JSON 返回，`detail` 为中文说明。",
    auth=[BearerToken(), BrowserSession()],
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(RectifyError)
def rectify_error(request, error: RectifyError):
    return error_response(request, error)  # the same JSON as anywhere under /api/


@api.exception_handler(DatabaseError)
@api.exception_handler(InterfaceError)
def database_error(request, error: DatabaseError | InterfaceError):
    # Ninja catches what its operations raise, so the site's handler would not see it: 503 where the
    # database cannot serve; anything else (an IntegrityError is a bug) goes on to Django's 500.
    response = database_unavailable(request, error)
    if response is None:
        raise error
    return response


@api.exception_handler(ValidationError)
def validation_error(request, error: ValidationError):
    problems = "；".join(_describe(item) for item in error.errors)
    return api.create_response(
        request, {"detail": f"请求参数有误：{problems}", "errors": error.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, error):
    return api.create_response(request, {"detail": "未登录或令牌无效、已过期。"}, status=401)


@api.exception_handler(Http404)
def not_found(request, error):
    return api_error(API_MESSAGES[404], 404)


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    if isinstance(error.__cause__, ValueError):  # ninja's parser could not read the body
        return api_error("请求内容不是有效的 JSON。", 400)
    if error.status_code == 403:
        record_denial(request, str(error))
    return api.create_response(request, {"detail": str(error)}, status=error.status_code)


# Where pydantic says a value came from; the user needs only the field's name.
LOCATION_WRAPPERS = ("body", "query", "path", "payload", "form", "file", "cookie", "header")

# pydantic's error types in Chinese; `{…}` are filled from the error's context.
VALIDATION_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "不能超过 {max_length} 个字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "date_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期，不带时间",
    "date_type": "日期格式不正确，应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式不正确，应为 ISO 8601（如 2025-01-31T09:00:00）",
    "datetime_from_date_parsing": "时间格式不正确，应为 ISO 8601（如 2025-01-31T09:00:00）",
    "datetime_type": "时间格式不正确，应为 ISO 8601（如 2025-01-31T09:00:00）",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不是可用的字段",
    "value_error": "{error}",
}


def _describe(item: dict) -> str:
    location = ".".join(str(part) for part in item.get("loc", ()) if part not in LOCATION_WRAPPERS)
    template = VALIDATION_MESSAGES.get(item.get("type", ""), "格式不正确")
    try:
        message = template.format(**item.get("ctx", {}))
    except (KeyError, IndexError):
        message = "格式不正确"
    return f"{location or '请求'}：{message}"


class Credentials(Schema):
    username: str
    password: str
    otp: str | None = Field(
        None, description="已启用两步验证的账户必填：验证器应用显示的 6 位动态验证码，或一个恢复码"
    )


class TokenOut(Schema):
    token: str
    expires_at: str


@api.post(
    "/auth/token",
    summary="签发令牌",
    auth=None,
    response={200: TokenOut, 401: Message, 403: Message, 429: Message},
    tags=["认证"],
)
def issue_token(request, credentials: Credentials):
    """以用户名和密码换取接口令牌；已启用两步验证的账户还须提供 `otp`（动态验证码或恢复码）。
    连续失败（密码或验证码）会按登录规则锁定；所在组织要求两步验证而尚未绑定、或密码已过期的，
    须先登录网页处理。"""
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if getattr(request, "axes_locked_out", False):
        return Status(429, {"detail": LOCKED_MESSAGE})
    if user is None or not user.is_active:
        return Status(401, {"detail": "用户名或密码不正确。"})
    try:
        check_token_request(request, user, credentials.otp)
    except RectifyError as error:
        return Status(error.status, {"detail": error.message})
    token, raw = ApiToken.issue(user)
    record(Kind.LOGIN, request=request, user=user, detail={"via": "api"})
    return Status(200, {"token": raw, "expires_at": token.expires_at.isoformat()})


api.add_router("/", ledger_router)
api.add_router("/", notices_router)
api.add_router("/", progress_router)
api.add_router("/", milestone_router)
api.add_router("/", mechanism_router)
api.add_router("/", meetings_router)
api.add_router("/", accountability_router)
api.add_router("/", audit_router)
api.add_router("/", supervision_router)
api.add_router("/", order_router)
api.add_router("/", extension_router)
api.add_router("/", dispatch_router)
api.add_router("/", publications_router)
api.add_router("/", reports_router)
api.add_router("/", public_notices_router)
api.add_router("/", feedback_router)
api.add_router("/", public_feedback_router)
api.add_router("/", consultation_router)
api.add_router("/", insights_router)
api.add_router("/", search_router)
api.add_router("/", recurrence_router)
api.add_router("/", ledger_excel_router)
api.add_router("/", evaluation_router)
