"""Model fields whose values are encrypted at rest (senders' contacts and the like).

Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package) under the keys in
RECTIFY_FIELD_KEYS: the first key encrypts, every key decrypts, so a key is rotated by putting the new
one first and re-saving the rows (`rectify rotate_field_keys`). The database holds only tokens; a raw
row shows no phone number or e-mail address.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80, then a timestamp)


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "RECTIFY_FIELD_KEYS 中的密钥格式不正确：应为 Fernet 密钥（32 字节的 URL 安全 Base64）。"
        ) from error


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.RECTIFY_FIELD_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "无法解密已加密的字段：RECTIFY_FIELD_KEYS 中没有加密时所用的密钥。"
        ) from error


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token. The empty string stays empty (nothing to hide), so
    "was a phone number given" is still answerable without decrypting. It cannot be filtered on."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name):
        # Equality and containment on ciphertext would silently never match: refuse them loudly.
        if lookup_name not in {"isnull", "exact"}:
            return None
        return super().get_lookup(lookup_name)
