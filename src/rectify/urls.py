from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from rectify.api.api import api
from rectify.insights import views as insights_views
from rectify.ledger import excel_urls as ledger_excel_urls
from rectify.ledger import urls as ledger_urls
from rectify.progress import views as progress_views
from rectify.supervision import measure_views

admin.site.site_header = "巡察整改督办平台 · 管理后台"
admin.site.site_title = "巡察整改督办平台"
admin.site.index_title = "数据管理"

# The ledger's pages under one name. The measure list shows warning lights (supervision) and the measure
# page shows reports and sign-off (progress); the ledger may import neither, so those apps serve them.
ledger_pages = [
    *ledger_urls.urlpatterns,
    path("measures/", measure_views.measure_list, name="measure-list"),
    path("measures/<int:pk>/", progress_views.measure_detail, name="measure-detail"),
]

# The Excel ledgers: the import (ledger) and the download of a list, whose columns show progress.
ledger_excel_pages = [
    *ledger_excel_urls.urlpatterns,
    path("inspections/<int:pk>/ledger.xlsx", progress_views.export_ledger, name="export"),
    path("ledger.xlsx", progress_views.export_ledgers, name="export-several"),
]

# JSON in Chinese under /api/, the usual pages elsewhere.
handler400 = "rectify.error_pages.bad_request"
handler403 = "rectify.error_pages.permission_denied"
handler404 = "rectify.error_pages.page_not_found"
handler500 = "rectify.error_pages.server_error"

urlpatterns = [
    path("", insights_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("rectify.accounts.urls")),
    path("", include((ledger_pages, "ledger"))),
    path("", include("rectify.ledger.mechanism_urls")),
    path("", include("rectify.meetings.urls")),
    path("accountability/", include("rectify.accountability.urls")),
    path("", include("rectify.progress.urls")),
    path("", include("rectify.progress.indicator_urls")),
    path("audit/", include("rectify.audit.urls")),
    path("account/", include("rectify.security.urls")),
    path("warnings/", include("rectify.supervision.warning_urls")),
    path("notifications/", include("rectify.supervision.notification_urls")),
    path("orders/", include("rectify.supervision.order_urls")),
    path("dispatch/", include("rectify.supervision.dispatch_urls")),
    path("calendar/", include("rectify.supervision.calendar_urls")),
    path("", include("rectify.supervision.extension_urls")),
    path("notices/", include("rectify.notices.urls")),
    path("publications/", include("rectify.notices.publication_urls")),
    path("rectification-documents/", include("rectify.reports.urls")),
    path("feedback/qr/", include("rectify.feedback.qr.urls")),
    path("feedback/hotline/", include("rectify.feedback.hotline.urls")),
    path("feedback/", include("rectify.feedback.urls")),
    path("recurrence/", include("rectify.recurrence.urls")),
    path("ledgers/", include((ledger_excel_pages, "ledger_excel"))),
    path("consultations/", include("rectify.feedback.consultations.urls")),
    path("dashboard/", include("rectify.insights.urls")),
    path("evaluation/", include("rectify.evaluation.urls")),
    path("search/", include("rectify.search.urls")),
    path("portal/feedback/", include("rectify.portal.feedback.urls")),
    path("portal/consultations/", include("rectify.portal.consultations.urls")),
    path("portal/", include("rectify.portal.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
