"""Choices shared by the feedback app's models and its concepts' models (consultations import the
channel too), kept apart so that no models module needs another that imports it back."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PORTAL = "portal", _("网上留言")
    PHONE = "phone", _("来电")
    EMAIL = "email", _("电子邮件")
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访走访")
    ASSOCIATION = "association", _("行业协会转达")
    HOTLINE = "hotline", _("12345热线")
