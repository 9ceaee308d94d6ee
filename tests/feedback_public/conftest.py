"""Fixtures of the public feedback tests: rate-limit counts start empty in every test (they live in
the shared cache), and bureau A's inspection can be published so that links may name it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ..publications.test_publishing import publish_through, staff  # noqa: F401  (fixture)

CONTACT = {"phones": ["020-88886666"], "emails": ["jubao@example.gov.cn"], "address": "", "postcode": ""}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(ledger, staff):  # noqa: F811
    """Bureau A's inspection with its notice published (and the notice's contacts on it)."""
    ledger.inspection.contact = CONTACT
    ledger.inspection.save()
    return publish_through(ledger.inspection, staff)
