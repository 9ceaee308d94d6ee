"""Staff pages of the public notice: an inspection's versions, the draft editor, the preview with
the workflow buttons each person may use, and the downloads. Thin: every rule is in
notices.publishing; a refusal shows its Chinese message with its HTTP status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.documents import DOCX_TYPE, attachment
from rectify.errors import AccessDenied, InvalidInput, NotFound, RectifyError
from rectify.org.access import VIEW, is_office

from . import publishing
from .models import NoticePublication, PublicationState
from .publication_forms import DecisionForm, DraftForm


@login_required
@require_GET
def publication_list(request):
    """Every version the user may see, newest first, across inspections."""
    publications = (
        NoticePublication.objects.restrict(request.user, VIEW)
        .select_related(*publishing.PUBLICATION_RELATIONS)
        .order_by("-updated_at", "-id")[:200]
    )
    return render(request, "notices/publication_list.html", {"publications": publications})


@login_required
@require_GET
def inspection_publications(request, inspection_id: int):
    return _inspection_page(request, inspection_id)


def _inspection_page(request, inspection_id: int, *, status: int = 200):
    inspection, publications = publishing.publications_of(request.user, inspection_id)
    return render(
        request,
        "notices/publication_inspection.html",
        {
            "inspection": inspection,
            "publications": publications,
            "can_draft": publishing.may_draft(request.user, inspection),
            "open_version": publishing.open_version(inspection),
        },
        status=status,
    )


@login_required
@require_POST
def create_draft(request, inspection_id: int):
    return _start_version(
        request,
        lambda: publishing.create_draft(request.user, inspection_id),
        refused=lambda status: _inspection_page(request, inspection_id, status=status),
        done="已根据台账生成通报稿（第{version}版），请修改后提交审核。",
    )


def _start_version(request, start, *, refused, done: str):
    """Start a new version (a draft, a correction) and open it for editing; a refusal shows the page
    whose button was pressed again, with the reason."""
    try:
        publication = start()
    except NotFound:
        raise  # nothing to show again: the error page says it is gone
    except RectifyError as error:
        messages.error(request, error.message)
        return refused(error.status)
    messages.success(request, done.format(version=publication.version))
    return redirect("publications:edit", pk=publication.pk)


def _body_html(publication) -> str:
    from .render import render_html

    # render_html escapes the document's text itself: it is the notice body, safe to place as is.
    return mark_safe(render_html(publishing.document_of(publication)))


@login_required
@require_GET
def detail(request, pk: int):
    publication = publishing.get_publication(request.user, pk)
    return _detail_page(request, publication)


def _detail_page(request, publication, *, form: DecisionForm | None = None, status: int = 200):
    decisions = publishing.decisions_for(request.user, publication)
    return render(
        request,
        "notices/publication_detail.html",
        {
            "publication": publication,
            "body": _body_html(publication),
            "steps": publication.steps.select_related("actor"),
            "decisions": decisions,
            "can_return": any(decision == "return" for decision, _label in decisions),
            "forward": [(decision, label) for decision, label in decisions if decision != "return"],
            "can_edit": publishing.may_edit(request.user, publication),
            "can_correct": publication.is_published
            and is_office(request.user, publication.organisation)
            and publishing.open_version(publication.inspection) is None,
            "approver": publishing.approver_label(publication.organisation),
            "form": form,
            "States": PublicationState,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    publication = publishing.get_publication(request.user, pk)
    if not publishing.may_edit(request.user, publication):
        if publication.state != PublicationState.DRAFT:
            messages.error(request, f"该通报当前为“{publication.get_state_display()}”，不能修改。")
            return redirect("publications:detail", pk=pk)
        raise AccessDenied("只有整改办可以修改通报稿。")
    document = publishing.document_of(publication)
    status = 200
    error = None
    if request.method == "POST":
        form = DraftForm(request.POST, publication=publication, document=document)
        if form.is_valid():
            try:
                publishing.update_draft(request.user, pk, form.to_overrides())
            except RectifyError as refused:
                error, status = refused.message, refused.status
            else:
                messages.success(request, "通报稿已保存。")
                if "save_submit" in request.POST:
                    return _decide(request, pk, "submit", "")
                return redirect("publications:detail", pk=pk)
        else:
            status = 400
    else:
        form = DraftForm(publication=publication, document=document)
    return render(
        request,
        "notices/publication_edit.html",
        {"publication": publication, "form": form, "error": error},
        status=status,
    )


def _decide(request, pk: int, decision: str, comment: str):
    try:
        publication = publishing.decide(request.user, pk, decision, comment)
    except NotFound:
        raise  # nothing to show again: the error page says it is gone
    except RectifyError as error:
        messages.error(request, error.message)
        publication = publishing.get_publication(request.user, pk)
        return _detail_page(request, publication, status=error.status)
    label = publishing.DECISIONS[decision][2]
    if decision == "publish":
        messages.success(request, f"已发布，索引号 {publication.index_number}。")
    else:
        messages.success(request, f"已{label}：通报现为“{publication.get_state_display()}”。")
    return redirect("publications:detail", pk=pk)


@login_required
@require_POST
def decide(request, pk: int):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("操作无效，请刷新页面后重试。")
    return _decide(request, pk, form.cleaned_data["decision"], form.cleaned_data["comment"])


@login_required
@require_POST
def correct(request, pk: int):
    return _start_version(
        request,
        lambda: publishing.create_correction(request.user, pk),
        refused=lambda status: _detail_page(
            request, publishing.get_publication(request.user, pk), status=status
        ),
        done="已起草更正通报（第{version}版），开篇已写明更正的版本。",
    )


def file_name(publication, suffix: str) -> str:
    return f"{publication.title}（第{publication.version}版）.{suffix}"


def docx_response(document, name: str) -> HttpResponse:
    from .render import render_docx

    return attachment(render_docx(document), name, DOCX_TYPE, private=False)


def text_response(document, name: str) -> HttpResponse:
    from .render import render_text

    return attachment(render_text(document), name, "text/plain; charset=utf-8", private=False)


@login_required
@require_GET
def download(request, pk: int, fmt: str):
    publication = publishing.get_publication(request.user, pk)
    document = publishing.document_of(publication)
    response = (
        docx_response(document, file_name(publication, "docx"))
        if fmt == "docx"
        else text_response(document, file_name(publication, "txt"))
    )
    if not publication.is_published:
        response["Cache-Control"] = "private, no-store"
    return response
