"""Excel ledger import pages (upload → column mapping → preview → confirm). Thin: the rules are in
ledger.excel_import. The download of a list is progress's (progress.ledger_excel)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from rectify.errors import AccessDenied, InvalidInput, RectifyError
from rectify.forms import submit
from rectify.org.access import organisations_under_office

from . import excel_import
from .excel_forms import ColumnMappingForm, InspectionFieldsForm, LedgerUploadForm

# Fields of the mapping step the preview carries to the confirm step (and back to the mapping).
NOT_CARRIED = {"csrfmiddlewaretoken", "action"}


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _check_may_import(request.user)
    form = LedgerUploadForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        token, status = submit(
            form,
            lambda data: excel_import.stash_ledger(request.user, data["organisation"], data["file"]),
            error_field="file",
        )
        if status is None:
            return redirect("ledger_excel:mapping", token=token)
    return _upload_page(request, form, status=status)


def _check_may_import(user) -> None:
    if not organisations_under_office(user).exists():
        raise AccessDenied("只有整改办可以导入整改台账。")


def _upload_page(request, form: LedgerUploadForm, *, status: int = 200):
    return render(request, "ledger/excel/import_upload.html", {"form": form}, status=status)


def _stashed(request, token: str):
    """The upload and its sheet, or the upload form again saying that the upload is gone."""
    try:
        stashed = excel_import.stashed_ledger(request.user, token)
        return stashed, stashed.sheet(), None
    except InvalidInput as error:
        _check_may_import(request.user)
        messages.error(request, error.message)
        return None, None, _upload_page(request, LedgerUploadForm(user=request.user), status=error.status)


def _mapping_page(request, stashed, sheet, mapping_form, fields_form, errors=(), status=200):
    return render(
        request,
        "ledger/excel/import_mapping.html",
        {
            "stashed": stashed,
            "sheet": sheet,
            "mapping_form": mapping_form,
            "fields_form": fields_form,
            "errors": errors,
            "required": [item.label for item in excel_import.FIELDS if item.required],
            "not_imported_hint": excel_import.NOT_IMPORTED_HINT,
        },
        status=status,
    )


def _bound_forms(request, sheet):
    mapping_form = ColumnMappingForm(request.POST, sheet=sheet, mapping={})
    fields_form = InspectionFieldsForm(request.POST)
    valid = mapping_form.is_valid()
    valid = fields_form.is_valid() and valid  # both validated, so both show their errors
    return mapping_form, fields_form, valid


def _from_mapping(request, stashed, sheet, action):
    """Hand what the mapping page posted to `action(mapping, inspection_fields)`. Returns its result and
    None, or None and the mapping page shown again: with the forms' errors, the ledger's row errors, or
    a refusal as one error."""
    mapping_form, fields_form, valid = _bound_forms(request, sheet)
    if not valid:
        return None, _mapping_page(request, stashed, sheet, mapping_form, fields_form, status=400)
    try:
        return action(mapping_form.mapping(), fields_form.inspection_fields()), None
    except excel_import.LedgerErrors as error:
        errors, status = error.errors, 400
    except RectifyError as error:
        errors, status = [excel_import.RowError(None, "", error.message)], error.status
    return None, _mapping_page(request, stashed, sheet, mapping_form, fields_form, errors, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request, token: str):
    stashed, sheet, refusal = _stashed(request, token)
    if refusal is not None:
        return refusal
    if request.method == "GET":
        suggested = excel_import.suggested_fields(sheet)
        return _mapping_page(
            request,
            stashed,
            sheet,
            ColumnMappingForm(sheet=sheet, mapping=excel_import.auto_mapping(sheet)),
            InspectionFieldsForm(initial=suggested.as_dict()),
        )
    if request.POST.get("action") == "edit":  # back from the preview, with everything as it was
        return _mapping_page(
            request,
            stashed,
            sheet,
            ColumnMappingForm(request.POST, sheet=sheet, mapping={}),
            InspectionFieldsForm(request.POST),
        )

    def checked_plan(mapping, fields):
        plan = excel_import.plan_import(stashed.organisation, sheet, mapping, fields)
        if plan.errors:
            raise excel_import.LedgerErrors(plan.errors)
        return plan, fields

    planned, again = _from_mapping(request, stashed, sheet, checked_plan)
    if again is not None:
        return again
    plan, fields = planned
    carried = [(name, value) for name, value in request.POST.items() if name not in NOT_CARRIED]
    return render(
        request,
        "ledger/excel/import_preview.html",
        {"stashed": stashed, "plan": plan, "carried": carried, "fields": fields},
    )


@login_required
@require_POST
def import_confirm(request, token: str):
    stashed, sheet, refusal = _stashed(request, token)
    if refusal is not None:
        return refusal
    inspection, again = _from_mapping(
        request,
        stashed,
        sheet,
        lambda mapping, fields: excel_import.import_stashed(request.user, stashed, mapping, fields),
    )
    if again is not None:
        return again
    problems = inspection.problems.count()
    messages.success(request, f"已导入巡察“{inspection.title}”：{problems} 个问题。")
    return redirect("ledger:inspection-detail", pk=inspection.pk)
