"""Organisations (a tree), users, and the role each user holds in an organisation."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from rectify.fields import valid_choice

PATH_STEP = 8  # digits per level of Organisation.path


class User(AbstractUser):
    """A person who signs in. Chinese names are one field, not first and last."""

    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class OrganisationKind(models.TextChoices):
    INSPECTION_OFFICE = "inspection_office", _("巡视巡察机构")
    PARTY_ORGAN = "party_organ", _("党组织/机关")
    DEPARTMENT = "department", _("内设机构")
    AFFILIATED = "affiliated", _("直属单位")
    DISTRICT = "district", _("区/下级单位")
    DISCIPLINE = "discipline", _("纪检监察组")


def ancestor_paths(path: str) -> list[str]:
    """ "00000001/00000004/" → ["00000001/", "00000001/00000004/"]."""
    step = PATH_STEP + 1
    return [path[:end] for end in range(step, len(path) + 1, step)]


class Organisation(models.Model):
    """A node of the organisation tree: city inspection office → bureaus → departments and units.

    `path` is a materialised path of zero-padded ids ("00000001/00000004/"), kept by save(), so
    "this organisation and everything under it" is one indexed prefix match, never a recursive walk.
    """

    name = models.CharField(_("名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=64, blank=True)
    code = models.SlugField(
        _("代码"), max_length=64, unique=True, help_text=_("英文字母、数字或连字符，如 gz-jtj")
    )
    kind = models.CharField(_("类型"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    path = models.CharField(_("层级路径"), max_length=255, editable=False, db_index=True)
    require_second_factor = models.BooleanField(
        _("要求两步验证"),
        default=False,
        help_text=_("开启后，本组织的整改办和纪检监察/巡察办人员登录时须输入动态验证码，未绑定的须先绑定。"),
    )

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="organisation_not_own_parent"),
            valid_choice("kind", OrganisationKind, name="organisation_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.pk is None:
            super().save(*args, **kwargs)  # the path needs the id
            self.path = self._computed_path()
            super().save(update_fields=["path"])
            return
        old_path = Organisation.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        if old_path and self.parent_id:
            parent_path = Organisation.objects.values_list("path", flat=True).get(pk=self.parent_id)
            if parent_path.startswith(old_path):
                raise ValueError("上级组织不能是本组织或其下级组织。")
        self.path = self._computed_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Move the whole subtree in one statement.
            Organisation.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
            )

    def _computed_path(self) -> str:
        own = f"{self.pk:0{PATH_STEP}d}/"
        return (Organisation.objects.get(pk=self.parent_id).path if self.parent_id else "") + own

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def depth(self) -> int:
        return len(self.path) // (PATH_STEP + 1) - 1

    def get_additional_data(self) -> dict:
        return {"org_path": self.path}

    @property
    def ancestor_paths(self) -> list[str]:
        """The paths of this organisation and every organisation above it."""
        return ancestor_paths(self.path)

    def is_within(self, other: "Organisation") -> bool:
        """True if this organisation is `other` or below it."""
        return self.path.startswith(other.path)


# Bodies that supervise: they never carry a measure nor answer a feedback item.
SUPERVISING_KINDS = (OrganisationKind.INSPECTION_OFFICE, OrganisationKind.DISCIPLINE)


def units_within(organisation: Organisation) -> models.QuerySet[Organisation]:
    """The units that may carry an organisation's work (responsible and supporting units of its
    measures, the units its feedback is routed to): the organisation itself and those below it, other
    than supervising bodies. A body outside the tree (a district government) gets no access through
    the organisation's work, so it is never one of these; a measure names it in free text only."""
    return (
        Organisation.objects.filter(path__startswith=organisation.path)
        .exclude(kind__in=SUPERVISING_KINDS)
        .order_by("path")
    )


class Role(models.TextChoices):
    OFFICE = "office", _("整改办")
    LEADER = "leader", _("领导小组成员/牵头领导")
    UNIT_HEAD = "unit_head", _("责任单位负责人")
    LIAISON = "liaison", _("责任单位联络员")
    SUPERVISOR = "supervisor", _("纪检监察/巡察办")


# Roles that act for a responsible unit and see only that unit's measures.
UNIT_ROLES = frozenset({Role.UNIT_HEAD, Role.LIAISON})
# Roles that must use a second factor where their organisation requires one (require_second_factor).
SECOND_FACTOR_ROLES = frozenset({Role.OFFICE, Role.SUPERVISOR})
# Roles that see every inspection of their organisation and the organisations below it.
WIDE_ROLES = frozenset({Role.OFFICE, Role.LEADER, Role.SUPERVISOR})


class Membership(models.Model):
    """A user's role in one organisation. A user may hold several (e.g. leader and office)."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    title = models.CharField(_("职务"), max_length=64, blank=True, help_text=_("如：局党组成员、副局长"))

    class Meta:
        verbose_name = _("角色任职")
        verbose_name_plural = _("角色任职")
        ordering = ["organisation__path", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
            valid_choice("role", Role, name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation.display_name} · {self.get_role_display()}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.organisation.path}
