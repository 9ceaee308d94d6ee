"""A measure's whole life through the services, and the state machine refusing what it must."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rectify.errors import AccessDenied, InvalidInput, NotFound
from rectify.ledger.models import Measure
from rectify.ledger.workflow import IllegalTransition
from rectify.progress import services
from rectify.progress.models import Evidence, ReportState, SignOffState

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "整改材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def signoff_people(world, ledger):
    """Hana (A1's head) may decide the unit-head level, Alice the office level, Larry the leader level."""
    return world


def status(measure) -> str:
    return Measure.objects.get(pk=measure.pk).status


def test_the_whole_life_of_a_measure(ledger, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(1, 1)]
    first = services.submit_report(world.bob, measure.pk, text="已制定执法规范。", files=[pdf()], percent=40)
    assert status(measure) == "in_progress" and first.evidence.count() == 1
    services.review_report(world.alice, first.pk, decision="return", comment="佐证材料不完整。")
    second = services.submit_report(
        world.bob, measure.pk, text="补充了培训记录。", files=[pdf("培训记录.pdf")], answers=first.pk
    )
    assert (second.revision, second.supersedes_id) == (2, first.pk)
    services.review_report(world.alice, second.pk, decision="accept")
    signoff = services.request_signoff(world.bob, measure.pk, note="已完成。")
    assert status(measure) == "signoff_requested"
    for person in (world.hana, world.alice, world.larry):
        signoff = services.decide_signoff(person, signoff.pk, decision="approve")
    assert signoff.state == SignOffState.APPROVED and status(measure) == "signed_off"
    followup = services.schedule_followup(world.alice, measure.pk, due_on=date(2099, 12, 1))
    services.record_followup(
        world.alice,
        followup.pk,
        outcome="relapse",
        note="执法程序问题再次出现。",
        new_deadline=date(2099, 12, 31),
    )
    reopened = Measure.objects.get(pk=measure.pk)
    assert reopened.status == "reopened" and reopened.reopen_reason == "执法程序问题再次出现。"
    with pytest.raises(IllegalTransition, match="反弹重启"):
        services.request_signoff(world.bob, measure.pk)  # a reopened measure reports first
    third = services.submit_report(world.bob, measure.pk, text="重新整改完成。", files=[pdf()])
    with pytest.raises(InvalidInput, match="已采纳"):
        services.request_signoff(
            world.bob, measure.pk
        )  # the evidence accepted before the relapse no longer counts
    services.review_report(world.alice, third.pk, decision="accept")
    signoff = services.request_signoff(world.bob, measure.pk)
    for person in (world.hana, world.alice, world.larry):
        services.decide_signoff(person, signoff.pk, decision="approve")
    done = Measure.objects.get(pk=measure.pk)
    assert done.status == "signed_off" and done.reopen_reason == ""
    assert len(list(tmp_path.rglob("*.pdf"))) == 3


def test_illegal_moves_are_refused_and_change_nothing(ledger, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(1, 1)]
    with pytest.raises(IllegalTransition, match="未启动"):
        services.request_signoff(world.bob, measure.pk)
    report = services.submit_report(world.bob, measure.pk, text="进展。", files=[pdf()])
    with pytest.raises(InvalidInput, match="已采纳"):
        services.request_signoff(world.bob, measure.pk)
    services.review_report(world.alice, report.pk, decision="accept")
    with pytest.raises(IllegalTransition, match="不能重复审核"):
        services.review_report(world.alice, report.pk, decision="return", comment="改主意了")
    signoff = services.request_signoff(world.bob, measure.pk)
    with pytest.raises(IllegalTransition):
        services.request_signoff(world.bob, measure.pk)
    with pytest.raises(AccessDenied, match="无权审批"):
        services.decide_signoff(world.alice, signoff.pk, decision="approve")  # unit head first
    services.decide_signoff(world.hana, signoff.pk, decision="return", comment="材料不足")
    assert status(measure) == "in_progress"
    with pytest.raises(IllegalTransition, match=r"^该销号申请已退回，不能再审批。$"):
        services.decide_signoff(world.alice, signoff.pk, decision="approve")
    with pytest.raises(IllegalTransition, match="已销号"):
        services.schedule_followup(world.alice, measure.pk, due_on=date(2099, 1, 1))


@pytest.mark.parametrize(
    "name, action",
    [
        ("lisa", "report"),  # another unit's liaison: the measure does not even exist for her
        ("alice", "report"),  # the office does not report for units
        ("vera", "report"),  # the supervisor cannot edit
        ("sam", "review"),
        ("bob", "review"),  # a unit cannot accept its own report
        ("larry", "review"),
    ],
)
def test_forbidden_actions_are_refused(ledger, world, settings, tmp_path, name, action):
    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(1, 1)]
    report = services.submit_report(world.bob, measure.pk, text="进展。", files=[pdf()])
    with pytest.raises(NotFound if name == "lisa" else AccessDenied):
        if action == "report":
            services.submit_report(world.people[name], measure.pk, text="越权报送。", files=[pdf()])
        else:
            services.review_report(world.people[name], report.pk, decision="accept")
    assert ReportStateCount.of(measure) == {"submitted": 1}
    assert Evidence.objects.count() == 1


class ReportStateCount:
    @staticmethod
    def of(measure):
        from django.db.models import Count

        from rectify.progress.models import ProgressReport

        return dict(
            ProgressReport.objects.filter(measure=measure).values_list("state").annotate(n=Count("id"))
        )


def test_a_unit_cannot_approve_its_own_signoff_and_only_the_levels_decide(ledger, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(1, 1)]
    report = services.submit_report(world.hana, measure.pk, text="进展。", files=[pdf()])
    services.review_report(world.alice, report.pk, decision="accept")
    signoff = services.request_signoff(world.hana, measure.pk)
    with pytest.raises(AccessDenied, match="自己"):
        services.decide_signoff(world.hana, signoff.pk, decision="approve")
    for name in ("bob", "vera", "sam", "larry", "alice"):  # not at their level, or no level at all
        with pytest.raises(AccessDenied):
            services.decide_signoff(world.people[name], signoff.pk, decision="approve")
    for name in ("lisa", "charlie"):  # they cannot see the measure
        with pytest.raises(NotFound):
            services.decide_signoff(world.people[name], signoff.pk, decision="approve")
    from rectify.progress.models import SignOff

    assert SignOff.objects.get(pk=signoff.pk).decisions.count() == 0
    assert report.__class__.objects.get(pk=report.pk).state == ReportState.ACCEPTED


def test_record_check_schedules_and_records_in_one_step(ledger, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(2, 1)]
    report = services.submit_report(world.lisa, measure.pk, text="完成。", files=[pdf()])
    services.review_report(world.alice, report.pk, decision="accept")
    signoff = services.request_signoff(world.lisa, measure.pk)
    from rectify.org.models import Membership, Role

    Membership.objects.create(user=world.bob, organisation=world.orgs["a2"], role=Role.UNIT_HEAD)
    for person in (world.bob, world.alice, world.larry):
        services.decide_signoff(person, signoff.pk, decision="approve")
    stable = services.record_check(world.alice, measure.pk, outcome="stable", note="未见反弹。")
    assert stable.outcome == "stable" and status(measure) == "signed_off"
    with pytest.raises(InvalidInput):
        services.record_check(world.alice, measure.pk, outcome="relapse", note="")
    assert measure.followups.count() == 1  # the refused check left nothing behind
