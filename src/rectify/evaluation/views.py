"""整改评估 pages: the inspection office's overview by round, one inspection's evaluation (scored,
saved, sent), and the office's rubric. Thin: every rule is in evaluation.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.forms import submit

from . import services
from .forms import ClassifyForm, EvaluationForm, RubricItemForm


@login_required
@require_GET
def overview(request):
    return render(
        request,
        "evaluation/overview.html",
        {"rounds": services.overview(request.user), "may_evaluate": services.may_evaluate_any(request.user)},
    )


def _inspection_page(request, pk: int, *, form=None, classify=None, status: int = 200):
    sheet = services.sheet(request.user, pk)
    if form is None:
        form = EvaluationForm(
            lines=sheet.lines,
            initial={
                "result": sheet.evaluation.result if sheet.evaluation else sheet.suggested_result,
                "comment": sheet.evaluation.comment if sheet.evaluation else "",
                "version": sheet.evaluation.version if sheet.evaluation else "",
            },
        )
    if classify is None:
        classify = ClassifyForm(
            initial={"round_name": sheet.inspection.round_name, "scope": sheet.inspection.scope}
        )
    return render(
        request,
        "evaluation/inspection.html",
        {"sheet": sheet, "form": form, "classify": classify},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection(request, pk: int):
    """GET: the evaluation; POST: save the draft, or save it and send it (name="issue")."""
    if request.method == "GET":
        return _inspection_page(request, pk)
    sheet = services.sheet(request.user, pk)
    form = EvaluationForm(request.POST, lines=sheet.lines)
    issuing = "issue" in request.POST

    def save(data):
        evaluation = services.save_evaluation(
            request.user,
            pk,
            scores=form.scores(),
            result=data["result"],
            comment=data["comment"],
            version=data["version"],
        )
        return services.issue_evaluation(request.user, pk) if issuing else evaluation

    evaluation, status = submit(form, save)
    if status is not None:
        return _inspection_page(request, pk, form=form, status=status)
    if issuing:
        messages.success(request, f"已向{evaluation.inspection.inspected.display_name}反馈整改评估。")
    else:
        messages.success(request, "已保存整改评估草稿。")
    return redirect("evaluation:inspection", pk=pk)


@login_required
@require_POST
def classify(request, pk: int):
    form = ClassifyForm(request.POST)
    _, status = submit(
        form,
        lambda data: services.classify_inspection(
            request.user, pk, round_name=data["round_name"], scope=data["scope"]
        ),
    )
    if status is not None:
        return _inspection_page(request, pk, classify=form, status=status)
    messages.success(request, "已保存巡察轮次和类别。")
    return redirect("evaluation:inspection", pk=pk)


def _rubric_page(request, *, new_form=None, failed_item: int | None = None, failed_form=None, status=200):
    rubric = services.rubric_for_user(request.user)
    items = [
        (
            item,
            failed_form
            if item.pk == failed_item
            else RubricItemForm(
                initial={"title": item.title, "max_score": item.max_score, "guidance": item.guidance},
                prefix=f"item-{item.pk}",
            ),
        )
        for item in rubric.items.all()
    ]
    return render(
        request,
        "evaluation/rubric.html",
        {
            "rubric": rubric,
            "items": items,
            "full_marks": sum(item.max_score for item, _ in items),
            "new_form": new_form or RubricItemForm(prefix="new"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rubric(request):
    """GET: the office's rubric; POST: add an item."""
    if request.method == "GET":
        return _rubric_page(request)
    form = RubricItemForm(request.POST, prefix="new")
    item, status = submit(form, lambda data: services.save_rubric_item(request.user, **data))
    if status is not None:
        return _rubric_page(request, new_form=form, status=status)
    messages.success(request, f"已新增评估指标“{item.title}”。")
    return redirect("evaluation:rubric")


@login_required
@require_POST
def rubric_item(request, item_id: int):
    """Change an item (name="save") or delete it (name="delete"): both buttons of the item's form."""
    form = RubricItemForm(request.POST, prefix=f"item-{item_id}")
    if "delete" in request.POST:
        _, status = submit(form, lambda data: services.delete_rubric_item(request.user, item_id))
        done = "已删除评估指标。"
    else:
        _, status = submit(
            form, lambda data: services.save_rubric_item(request.user, item_id=item_id, **data)
        )
        done = "已保存评估指标。"
    if status is not None:
        return _rubric_page(request, failed_item=item_id, failed_form=form, status=status)
    messages.success(request, done)
    return redirect("evaluation:rubric")
