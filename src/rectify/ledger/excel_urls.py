from django.urls import path, re_path

from . import excel_views

app_name = "ledger_excel"

TOKEN = r"(?P<token>[0-9a-f]{32})"

urlpatterns = [
    path("inspections/<int:pk>/ledger.xlsx", excel_views.export, name="export"),
    path("import/", excel_views.import_upload, name="import"),
    re_path(rf"^import/{TOKEN}/$", excel_views.import_mapping, name="mapping"),
    re_path(rf"^import/{TOKEN}/confirm/$", excel_views.import_confirm, name="confirm"),
]
