"""Notice endpoints: importing a rectification notice into the ledger."""

from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from rectify.ledger.api import InspectionOut
from rectify.org.models import Organisation
from rectify.schemas import Message, OrganisationKey, organisation_lookup

from . import services

router = Router(tags=["整改通报"])


class ImportResult(Schema):
    dry_run: bool
    document: dict
    inspection: InspectionOut | None = None


@router.post(
    "/inspections/import",
    summary="导入巡察整改通报",
    response={200: ImportResult, 201: ImportResult, 400: Message, 403: Message, 404: Message},
)
def import_inspection(
    request, organisation: Form[OrganisationKey], file: File[UploadedFile], dry_run: bool = False
):
    """上传巡察整改通报（.txt/.html/.docx）导入台账。`organisation` 为组织代码或编号；
    `dry_run=true` 只返回解析结果，不写入任何内容。该通报已为该组织导入过的，预览和导入都返回 400，
    并写明导入日期和巡察名称。"""
    target = get_object_or_404(Organisation, **organisation_lookup(organisation))
    document, inspection = services.import_upload(request.user, file, target, dry_run=dry_run)
    result = {"dry_run": dry_run, "document": document.to_dict(), "inspection": inspection}
    return Status(200 if dry_run else 201, result)
