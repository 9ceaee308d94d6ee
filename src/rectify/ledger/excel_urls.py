from django.urls import path, re_path

from . import excel_views

# The "ledger_excel" namespace is assembled in rectify/urls.py: these import pages, and the download of a
# list, which progress serves (its columns show reports and sign-off).

TOKEN = r"(?P<token>[0-9a-f]{32})"

urlpatterns = [
    path("import/", excel_views.import_upload, name="import"),
    re_path(rf"^import/{TOKEN}/$", excel_views.import_mapping, name="mapping"),
    re_path(rf"^import/{TOKEN}/confirm/$", excel_views.import_confirm, name="confirm"),
]
