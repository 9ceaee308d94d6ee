"""Meetings (会议) that deploy and drive the rectification: 党组会议, 领导小组会议, 专题会, 调度会, 座谈会.

A meeting belongs to one inspection (the rectification it deploys). It records who chaired and who
attended (users of the platform and names typed in), its decisions (决定事项), each linked to problems
or measures and able to become a task (任务) with an owner (a unit, a person or both) and a due date,
and its minutes (会议纪要), a file checked and sent as evidence is (rectify.attachments).

Who sees what (MeetingQuerySet, MeetingDecisionQuerySet): the office and supervisors of the inspected
organisation (and above it) read every meeting; a leader reads the meetings he or she chaired or
attended; a responsible unit sees the tasks given to it, not the meetings. Only the office changes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from rectify.fields import done_by, valid_choice
from rectify.ledger.models import Inspection, Measure, Problem
from rectify.org.access import CHANGE, VIEW, VIEW_ALL, Access, any_of, path_q
from rectify.org.models import Organisation, Role
from rectify.org.querysets import OFFICE_ONLY, RestrictedQuerySet

READERS = frozenset({Role.OFFICE, Role.SUPERVISOR})


class MeetingKind(models.TextChoices):
    PARTY_GROUP = "party_group", _("党组会议")
    LEADING_GROUP = "leading_group", _("领导小组会议")
    SPECIAL = "special", _("专题会")
    DISPATCH = "dispatch", _("调度会")
    SYMPOSIUM = "symposium", _("座谈会")


class MeetingQuerySet(RestrictedQuerySet):
    organisation_path_lookup = "inspection__inspected__path"
    roles_by_action = {VIEW: READERS, VIEW_ALL: READERS, CHANGE: OFFICE_ONLY}

    def access_condition(self, user, action: str) -> Q | None:
        if action != VIEW:
            return super().access_condition(user, action)
        # A leader (or anyone) reads the meetings he or she chaired or attended.
        attended = Meeting.attendees.through.objects.filter(meeting=OuterRef("pk"), user=user)
        return any_of(super().access_condition(user, action), Q(chair=user), Q(Exists(attended)))


class MeetingDecisionQuerySet(RestrictedQuerySet):
    organisation_path_lookup = "meeting__inspection__inspected__path"
    roles_by_action = {VIEW: READERS, VIEW_ALL: READERS, CHANGE: OFFICE_ONLY}

    def access_condition(self, user, action: str) -> Q | None:
        if action != VIEW:
            return super().access_condition(user, action)
        return any_of(
            super().access_condition(user, action),
            Q(meeting__in=Meeting.objects.restrict(user, VIEW).values("pk")),
            self.task_condition(user),
        )

    @staticmethod
    def task_condition(user) -> Q:
        """The tasks given to the user or to a unit the user acts for (or one under it)."""
        return any_of(Q(owner_person=user), path_q("owner_unit__path", Access.of(user).unit_paths))

    def tasks_of(self, user):
        """The tasks given to the user or the user's unit, open first, by due date."""
        return (
            self.filter(self.task_condition(user))
            .exclude(due_on__isnull=True)
            .select_related("meeting", "owner_unit", "owner_person")
            .order_by(models.F("done_at").asc(nulls_first=True), "due_on", "id")
        )


class Meeting(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices)
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=255)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("参会人员"), related_name="attended_meetings", blank=True
    )
    other_attendees = models.TextField(
        _("其他参会人员"), blank=True, help_text=_("未在平台开设账号的参会人员，用顿号分隔")
    )
    minutes = models.FileField(_("会议纪要"), upload_to="minutes/%Y/%m/", max_length=255, blank=True)
    minutes_name = models.CharField(_("纪要文件名"), max_length=255, blank=True)
    minutes_type = models.CharField(_("纪要文件类型"), max_length=100, blank=True)
    minutes_size = models.PositiveBigIntegerField(_("纪要大小（字节）"), default=0)
    minutes_sha256 = models.CharField(_("纪要 SHA-256"), max_length=64, blank=True)
    created_by = done_by(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["inspection", "held_on"], name="meeting_inspection_day")]
        constraints = [
            valid_choice("kind", MeetingKind, name="meeting_kind_valid"),
            models.CheckConstraint(
                condition=Q(minutes="") | Q(minutes_size__gt=0), name="meeting_minutes_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return self.inspection.get_additional_data()


class MeetingDecision(models.Model):
    """A decision of a meeting (决定事项); with a due date it is a task (任务) whose owner reports it done."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="decisions"
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("决定事项"))
    problems = models.ManyToManyField(
        Problem, verbose_name=_("相关问题"), related_name="meeting_decisions", blank=True
    )
    measures = models.ManyToManyField(
        Measure, verbose_name=_("相关措施"), related_name="meeting_decisions", blank=True
    )
    owner_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_tasks",
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_tasks",
    )
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = done_by(_("完成确认人"), optional=True)
    done_note = models.TextField(_("完成情况"), blank=True)

    objects = MeetingDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议决定事项")
        verbose_name_plural = _("会议决定事项")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="meeting_decision_order_unique"),
            # A task has an owner and a date; a decision without a date is recorded, not tracked.
            models.CheckConstraint(
                condition=Q(due_on__isnull=True)
                | Q(owner_unit__isnull=False)
                | Q(owner_person__isnull=False),
                name="meeting_task_has_owner",
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(due_on__isnull=False), name="meeting_done_is_a_task"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:60]}"

    @property
    def is_task(self) -> bool:
        return self.due_on is not None

    def owner_label(self) -> str:
        names = [
            str(item)
            for item in (self.owner_unit, self.owner_person and self.owner_person.display_name)
            if item
        ]
        return "、".join(names)

    def get_additional_data(self) -> dict:
        return self.meeting.get_additional_data()
