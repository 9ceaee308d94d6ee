"""Fixtures of the QR code tests: the public pages' own (rate-limit counts start empty, the contacts
a published notice carries), since a scan opens the public form."""

from ..portal.conftest import CONTACT, fresh_rate_limits  # noqa: F401  (fixture)
