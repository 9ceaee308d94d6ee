"""The Django admin works, in Chinese, for every model of the ledger and the organisations."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from rectify.org.models import User


@pytest.fixture
def admin_client_zh(ledger):
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="Root-pass-2025"))
    return client


def test_every_registered_model_lists_and_adds_in_chinese(admin_client_zh):
    index = admin_client_zh.get("/admin/").content.decode()
    assert "整改台账" in index and "组织与用户" in index
    for model in admin.site._registry:
        if model._meta.app_label not in {"org", "ledger", "api"}:
            continue
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        changelist = admin_client_zh.get(reverse(f"admin:{info}_changelist"))
        assert changelist.status_code == 200, info
        add = admin_client_zh.get(reverse(f"admin:{info}_add"))
        assert add.status_code in (200, 403), info


def test_measure_change_page_opens(admin_client_zh, ledger):
    measure = ledger.measures[(1, 1)]
    page = admin_client_zh.get(reverse("admin:ledger_measure_change", args=[measure.pk]))
    assert page.status_code == 200 and "整改措施" in page.content.decode()
