"""The password policy, as Django's AUTH_PASSWORD_VALIDATORS: every place that sets a password through
Django's forms or `validate_password` (the change-password page, the admin, createsuperuser) applies it."""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The four kinds of character a password is made of; anything that is none of the first three counts
# as a symbol (punctuation, a space, a Chinese character).
CLASSES = (
    ("大写字母", lambda char: char in string.ascii_uppercase),
    ("小写字母", lambda char: char in string.ascii_lowercase),
    ("数字", lambda char: char in string.digits),
    ("符号", lambda char: not (char in string.ascii_letters or char in string.digits)),
)


class MinimumLengthValidator:
    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码太短：至少需要 %(min_length)d 个字符。"),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return _("至少 %(min_length)d 个字符。") % {"min_length": self.min_length}


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        present = sum(1 for _name, test in CLASSES if any(test(char) for char in password))
        if present < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号四类中的至少 %(min_classes)d 类。"),
                code="password_too_simple",
                params={"min_classes": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _("须包含大写字母、小写字母、数字、符号四类中的至少 %(min_classes)d 类。") % {
            "min_classes": self.min_classes
        }


class PasswordHistoryValidator:
    """Not one of the user's last `count` passwords (the current one among them). Each password a user
    is saved with is remembered (models.remember_password, on every save of a user)."""

    def __init__(self, count: int = 5):
        self.count = count

    def _recent(self, user) -> list[str]:
        from .models import PasswordHistory

        return list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-created_at", "-id")
            .values_list("password", flat=True)[: self.count]
        )

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        hashes = self._recent(user)
        if not hashes:  # a user from before the policy: at least not the current password again
            current = type(user).objects.filter(pk=user.pk).values_list("password", flat=True).first()
            hashes = [current] if current else []
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("不能使用最近 %(count)d 次用过的密码，请换一个新密码。"),
                code="password_reused",
                params={"count": self.count},
            )

    def get_help_text(self) -> str:
        return _("不能与最近 %(count)d 次用过的密码相同。") % {"count": self.count}
