from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("to-reply/", views.to_reply, name="to-reply"),
    path("new/", views.item_new, name="new"),
    path("export/", views.export, name="export"),
    path("stats/", views.statistics, name="stats"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/contacts/", views.reveal_contacts, name="contacts"),
    path("<int:pk>/route/", views.item_route, name="route"),
    path("<int:pk>/reply/", views.reply_edit, name="reply"),
    path("<int:pk>/reply/approve/", views.reply_approve, name="reply-approve"),
    path("<int:pk>/reply/return/", views.reply_return, name="reply-return"),
    path("<int:pk>/close/", views.item_close, name="close"),
]
