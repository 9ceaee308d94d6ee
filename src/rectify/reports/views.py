"""整改文书 pages: every document the user may see, an inspection's documents by kind (with the
整改情况报告's due date and whether it was sent on time), a document with its workflow buttons, the
draft editor and the Word download. Thin: every rule is in reports.services; a refusal shows its
Chinese message with its HTTP status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.documents import DOCX_TYPE, attachment
from rectify.errors import AccessDenied, InvalidInput, NotFound, RectifyError
from rectify.ledger.models import Inspection
from rectify.ledger.services import get_inspection
from rectify.org.access import VIEW_ALL

from . import render as rendering
from . import services
from .forms import DecisionForm, DraftForm, EditForm
from .generate import situation_due
from .models import DocumentKind, DocumentState


@login_required
@require_GET
def document_list(request):
    """The documents the user may see, and the inspections whose documents the user may open."""
    documents = list(services.documents_of(request.user).order_by("-updated_at", "-id")[:200])
    inspections = list(
        Inspection.objects.restrict(request.user, VIEW_ALL)
        .select_related("inspected")
        .order_by("-feedback_date", "-pk")[:200]
    )
    if not documents and not inspections:
        raise AccessDenied("整改文书由被巡察单位的整改办起草，领导小组审批，纪检监察和巡察机构查阅。")
    submissions = services.situation_submissions(inspections)
    return render(
        request,
        "reports/list.html",
        {
            "documents": documents,
            "inspections": [(inspection, submissions[inspection.pk]) for inspection in inspections],
        },
    )


def _inspection_page(request, inspection_id: int, *, form: DraftForm | None = None, status: int = 200):
    inspection = get_inspection(request.user, inspection_id, VIEW_ALL)
    documents = list(services.documents_of(request.user, inspection.pk))
    kinds = [
        (kind, label, [document for document in documents if document.kind == kind])
        for kind, label in DocumentKind.choices
    ]
    return render(
        request,
        "reports/inspection.html",
        {
            "inspection": inspection,
            "kinds": kinds,
            "due": situation_due(inspection),
            "submission": services.situation_submissions([inspection])[inspection.pk],
            "can_draft": services.may_draft(request.user, inspection),
            "form": form or DraftForm(),
        },
        status=status,
    )


@login_required
@require_GET
def inspection_documents(request, inspection_id: int):
    return _inspection_page(request, inspection_id)


@login_required
@require_POST
def create_draft(request, inspection_id: int):
    form = DraftForm(request.POST)
    if not form.is_valid():
        return _inspection_page(request, inspection_id, form=form, status=400)
    try:
        document = services.create_draft(
            request.user, inspection_id, form.cleaned_data["kind"], on=form.cleaned_data["on"]
        )
    except NotFound:
        raise
    except RectifyError as error:
        messages.error(request, error.message)
        return _inspection_page(request, inspection_id, form=form, status=error.status)
    messages.success(
        request, f"已根据台账生成{document.get_kind_display()}（第{document.version}版），请修改后提交审核。"
    )
    return redirect("reports:edit", document_id=document.pk)


def _detail_page(request, document, *, status: int = 200):
    decisions = services.decisions_for(request.user, document)
    return render(
        request,
        "reports/detail.html",
        {
            "document": document,
            # html_fragment escapes the document's text itself: it is the body, safe to place as is.
            "body": mark_safe(rendering.html_fragment(document)),
            "steps": document.steps.all(),
            "forward": [(decision, label) for decision, label in decisions if decision != "return"],
            "can_return": any(decision == "return" for decision, _label in decisions),
            "can_edit": services.may_edit(request.user, document),
            "approver": services.approver_label(document.organisation),
            "States": DocumentState,
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, document_id: int):
    return _detail_page(request, services.get_document(request.user, document_id))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, document_id: int):
    document = services.get_document(request.user, document_id)
    if not services.may_edit(request.user, document):
        if document.state != DocumentState.DRAFT:
            messages.error(
                request, f"该{document.get_kind_display()}当前为“{document.get_state_display()}”，不能修改。"
            )
            return redirect("reports:detail", document_id=document.pk)
        raise AccessDenied("只有整改办可以修改整改文书。")
    parts = services.editable_parts(document)
    status, error = 200, None
    if request.method == "POST":
        form = EditForm(request.POST, parts=parts)
        if form.is_valid():
            try:
                services.update_draft(request.user, document.pk, form.cleaned_data)
            except RectifyError as refused:
                error, status = refused.message, refused.status
            else:
                messages.success(request, "已保存，数据已按台账更新。")
                return redirect("reports:detail", document_id=document.pk)
        else:
            status = 400
    else:
        form = EditForm(parts=parts)
    return render(
        request, "reports/edit.html", {"document": document, "form": form, "error": error}, status=status
    )


@login_required
@require_POST
def regenerate(request, document_id: int):
    try:
        services.regenerate(request.user, document_id)
    except NotFound:
        raise
    except RectifyError as error:
        messages.error(request, error.message)
        return _detail_page(request, services.get_document(request.user, document_id), status=error.status)
    messages.success(request, "已按台账更新数据和各项措施的进展表述，修改过的文字保持不变。")
    return redirect("reports:detail", document_id=document_id)


@login_required
@require_POST
def decide(request, document_id: int):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("操作无效，请刷新页面后重试。")
    data = form.cleaned_data
    try:
        document = services.decide(
            request.user, document_id, data["decision"], data["comment"], sent_on=data["sent_on"]
        )
    except NotFound:
        raise
    except RectifyError as error:
        messages.error(request, error.message)
        return _detail_page(request, services.get_document(request.user, document_id), status=error.status)
    messages.success(
        request, f"已{services.DECISIONS[data['decision']][2]}：现为“{document.get_state_display()}”。"
    )
    return redirect("reports:detail", document_id=document_id)


@login_required
@require_GET
def download(request, document_id: int):
    document = services.get_document(request.user, document_id)
    return attachment(rendering.docx_bytes(document), rendering.file_name(document, "docx"), DOCX_TYPE)
