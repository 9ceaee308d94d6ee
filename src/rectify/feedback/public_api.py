"""The public feedback API (no sign-in): leave an opinion or an enterprise demand, and read what its
sender may read by tracking code. The same rules as the portal form: one per-address allowance shared
with the form, a size limit on the request, markup stripped by feedback.services.

It takes JSON and no session: ninja's views are exempt from Django's CSRF check, and nothing here
reads or writes the session, so no cookie is set either.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from ninja import Field, Router, Schema, Status
from ninja.decorators import decorate_view

from rectify.errors import InvalidInput, NotFound
from rectify.schemas import Id, Message

from . import abuse, services
from .public import consent_problem, public_view, subject_for_api

router = Router(tags=["公众留言"], auth=None)

NOT_FOUND = "未找到与该查询码对应的留言。"


class PublicFeedbackKind(StrEnum):
    OPINION = "opinion"
    DEMAND = "demand"


class PublicFeedbackIn(Schema):
    kind: PublicFeedbackKind = Field(..., description="opinion（意见建议）或 demand（企业诉求）")
    content: str = Field(..., description=f"内容，不超过 {services.MAX_CONTENT} 字；标记会被去除")
    name: str = Field("", description="姓名（可不填）")
    phone: str = Field("", description="联系电话（可不填）：手机号或带区号的固定电话")
    email: str = Field("", description="电子邮箱（可不填）；答复发布后会发邮件告知")
    enterprise: str = Field("", description="企业名称（企业诉求可填）")
    credit_code: str = Field("", description="统一社会信用代码（18 位）")
    consent_to_contact: bool = Field(False, description="同意工作人员通过所留电话或电子邮箱联系")
    problem: Id | None = Field(None, description="涉及的问题编号（id，须是已公开通报中的问题）")
    qr: str | None = Field(None, max_length=32, description="来源二维码的标识")
    organisation: Id | None = Field(None, description="受理单位（id）；problem 或 qr 已说明时可不填")


class SubmittedOut(Schema):
    code: str = Field(..., description="查询码：凭它查看办理情况和答复")
    due_date: date = Field(..., description="答复期限")


class PublicFeedbackOut(Schema):
    code: str
    organisation: str = Field(..., description="受理单位")
    kind: str
    kind_label: str
    received_on: date
    due_date: date = Field(..., description="答复期限")
    status: str
    status_label: str = Field(..., description="已受理、办理中、已答复或已办结")
    status_explanation: str
    close_reason_label: str = Field(..., description="未答复而办结的原因（重复反映等），否则为空")
    reply_text: str = Field(..., description="已审核发布的答复，尚无则为空")
    replied_on: date | None
    content: str = Field(..., description="留言内容，与提交时相同")
    unit: str = Field(..., description="作出答复的承办单位，答复发布后才有；此前为空")


@router.post(
    "/public/feedback",
    summary="提交意见建议",
    response={201: SubmittedOut, 400: Message, 413: Message, 429: Message},
    url_name="public_feedback_submit",
)
@decorate_view(abuse.limit_body)
def submit(request, payload: PublicFeedbackIn):
    """留下意见建议或企业诉求（无需登录）。须指明受理单位（organisation）、已公开的问题（problem）或
    二维码（qr）之一。返回查询码和答复期限。同一网络地址提交过于频繁时返回 429。"""
    subject = subject_for_api(organisation=payload.organisation, problem=payload.problem, qr=payload.qr)
    problem = consent_problem(
        # The formats are checked first, so that a wrong number is reported as such.
        has_contact=bool(services.clean_phone(payload.phone) or services.clean_email(payload.email)),
        consent=payload.consent_to_contact,
    )
    if problem:
        raise InvalidInput(f"consent_to_contact：{problem}")
    abuse.count_submission(request)
    item = services.submit_public(
        organisation=subject.organisation,
        kind=payload.kind.value,
        content=payload.content,
        inspection=subject.inspection,
        problem=subject.problem,
        measure=subject.measure,
        qr=subject.qr,
        **services.sender_of(payload.dict()),
    )
    return Status(201, {"code": item.code, "due_date": item.due_date})


@router.get(
    "/public/feedback/{code}",
    summary="凭查询码查询办理情况",
    response={200: PublicFeedbackOut, 404: Message, 429: Message},
    url_name="public_feedback_lookup",
)
def lookup(request, code: str):
    """凭查询码查看办理情况和已发布的答复（无需登录）。查不到时返回 404；查询过于频繁时返回 429。"""
    abuse.count_lookup(request)
    item = services.find_by_code(code)
    if item is None:
        raise NotFound(NOT_FOUND)
    return public_view(item)
