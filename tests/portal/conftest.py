"""Fixtures of the public page tests: rate-limit counts start empty in every test (they live in the
shared cache), bureau A's inspection can be published so that links may name it, and the
consultations' own fixtures (one taking comments, one past its closing date)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ..consultations.conftest import lapsed_consultation, mechanism, open_consultation, today  # noqa: F401
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
