"""Recurrence flags: made on import against signed-off problems, decided once by the office."""

import numpy as np
import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit
from rectify.ledger.choices import MeasureStatus
from rectify.ledger.models import Measure, Problem
from rectify.notices.importer import import_notice
from rectify.org.access import VIEW
from rectify.recurrence import services
from rectify.recurrence.models import FlagKind, FlagStatus, RecurrenceFlag

from .conftest import second_round_notice


def pairs(inspection) -> set[tuple[int, int]]:
    return set(
        RecurrenceFlag.objects.filter(problem__inspection=inspection).values_list(
            "problem__number", "earlier__number"
        )
    )


def test_import_flags_problems_like_signed_off_ones_of_the_organisation(world, signed_off, second_round):
    # 1 ≈ 非法营运 (signed off), 2 ≈ 审批时限 (signed off); 3 resembles problem 1, which is not signed
    # off; 4 resembles nothing; bureau B's identical inspection is not bureau A's and is never used.
    assert pairs(second_round) == {(1, 2), (2, 3)}
    flags = RecurrenceFlag.objects.filter(problem__inspection=second_round)
    assert {flag.earlier.inspection_id for flag in flags} == {signed_off.inspection.pk}
    flag = flags.get(problem__number=1)
    assert flag.status == FlagStatus.PENDING and 0 < flag.score <= 1
    assert any("非法营运车辆" in term for term in flag.terms)


def test_nothing_is_flagged_without_signed_off_problems(world, ledger):
    inspection = import_notice(second_round_notice(), organisation=world.orgs["a"], user=world.alice)
    assert pairs(inspection) == set()


def test_a_problem_reopened_after_sign_off_no_longer_counts(world, signed_off):
    Measure.objects.filter(pk=signed_off.measures[(2, 1)].pk).update(status=MeasureStatus.REOPENED)
    inspection = import_notice(second_round_notice(), organisation=world.orgs["a"], user=world.alice)
    assert pairs(inspection) == {(2, 3)}


def test_flags_are_written_in_the_import_transaction(world, signed_off):
    with pytest.raises(RuntimeError), transaction.atomic():
        import_notice(second_round_notice(), organisation=world.orgs["a"], user=world.alice)
        assert RecurrenceFlag.objects.count() == 2
        raise RuntimeError("the caller's transaction fails after the import")
    assert RecurrenceFlag.objects.count() == 0


def test_flagging_costs_the_same_queries_whatever_the_number_of_earlier_problems(world, signed_off):
    def queries_for_import(title: str) -> int:
        document = second_round_notice(title)
        with CaptureQueriesContext(connection) as queries:
            inspection = import_notice(document, organisation=world.orgs["a"])
        Measure.objects.filter(problem__inspection=inspection).update(status=MeasureStatus.SIGNED_OFF)
        return len([q for q in queries.captured_queries if "recurrence_recurrenceflag" in q["sql"]])

    # Each import adds four signed-off problems for the next one to compare against.
    assert queries_for_import("第二轮") == queries_for_import("第三轮") == queries_for_import("第四轮") == 1


def test_at_most_three_flags_per_problem_the_strongest(world, signed_off):
    for round_number in range(4):
        earlier = import_notice(second_round_notice(f"第{round_number}轮"), organisation=world.orgs["a"])
        Measure.objects.filter(problem__inspection=earlier).update(status=MeasureStatus.SIGNED_OFF)
    latest = import_notice(second_round_notice("最新一轮"), organisation=world.orgs["a"])
    flags = list(
        RecurrenceFlag.objects.filter(problem__inspection=latest, problem__number=1).order_by("-score")
    )
    assert len(flags) == services.FLAGS_PER_PROBLEM
    # The identical problems of earlier rounds score highest (1.0), the first round's paraphrase less.
    assert all(flag.earlier.title == "南站非法营运车辆反弹回潮的整改" for flag in flags)


def flag_of(inspection, number: int) -> RecurrenceFlag:
    return RecurrenceFlag.objects.get(problem__inspection=inspection, problem__number=number)


def test_the_office_confirms_with_a_kind_and_a_note_and_it_is_audited(world, second_round):
    flag = flag_of(second_round, 1)
    decided = services.decide_flag(
        world.alice, flag.pk, confirm=True, kind=FlagKind.RELAPSE, note="南站非法营运整治后又反弹。"
    )
    assert (decided.status, decided.kind, decided.decided_by) == ("confirmed", "relapse", world.alice)
    entry = LogEntry.objects.get_for_object(decided).latest("timestamp")
    assert entry.additional_data["org_path"] == world.orgs["a"].path
    assert "confirmed" in entry.changes_text or "status" in entry.changes_dict


def test_confirming_needs_a_kind_and_a_note_and_changes_nothing_otherwise(world, second_round):
    flag = flag_of(second_round, 1)
    with pytest.raises(InvalidInput, match="说明"):
        services.decide_flag(world.alice, flag.pk, confirm=True, kind=FlagKind.COMMON, note="  ")
    with pytest.raises(InvalidInput, match="共性问题"):
        services.decide_flag(world.alice, flag.pk, confirm=True, kind="other", note="理由")
    with pytest.raises(InvalidInput, match="2000"):
        services.decide_flag(world.alice, flag.pk, confirm=False, note="长" * 2001)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.PENDING and flag.note == ""


def test_a_flag_is_decided_once(world, second_round):
    flag = flag_of(second_round, 2)
    services.decide_flag(world.alice, flag.pk, confirm=False, note="审批时限属不同事项。")
    with pytest.raises(StaleEdit, match="艾丽"):
        services.decide_flag(world.alice, flag.pk, confirm=True, kind=FlagKind.COMMON, note="再确认")
    flag.refresh_from_db()
    assert (flag.status, flag.kind, flag.note) == ("dismissed", "", "审批时限属不同事项。")


def test_only_the_office_of_the_problem_decides(world, second_round):
    flag = flag_of(second_round, 1)
    for person in (world.larry, world.vera, world.sam):  # they see it, but it is not theirs to decide
        assert RecurrenceFlag.objects.restrict(person, VIEW).filter(pk=flag.pk).exists()
        with pytest.raises(AccessDenied):
            services.decide_flag(person, flag.pk, confirm=False)
    for person in (world.charlie, world.bob, world.nobody):  # they do not see both problems
        with pytest.raises(NotFound):
            services.decide_flag(person, flag.pk, confirm=False)
    assert RecurrenceFlag.objects.get(pk=flag.pk).status == FlagStatus.PENDING
    assert services.pending_flags(world.alice).count() == 2
    assert services.pending_flags(world.vera).count() == services.pending_flags(world.charlie).count() == 0


def test_the_database_refuses_incomplete_decisions_and_duplicate_pairs(world, second_round):
    flag = flag_of(second_round, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecurrenceFlag.objects.filter(pk=flag.pk).update(status=FlagStatus.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecurrenceFlag.objects.create(problem=flag.problem, earlier=flag.earlier, score=0.5)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecurrenceFlag.objects.create(problem=flag.problem, earlier=flag.problem, score=0.5)
    other = Problem.objects.exclude(pk__in=[flag.problem_id, flag.earlier_id]).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        RecurrenceFlag.objects.create(problem=flag.problem, earlier=other, score=1.5)


def test_an_import_extends_the_corpus_of_all_problems_rather_than_refitting_it(world, signed_off):
    """The corpus fitted before the import is extended by the new problems (only theirs are read and
    counted): the same corpus, to the last bit, as one fitted afresh on every problem."""
    from rectify.recurrence import corpus
    from rectify.similarity import Corpus

    before = corpus.all_problems_corpus()
    import_notice(second_round_notice(), organisation=world.orgs["a"], user=world.alice)
    after = corpus.all_problems_corpus()
    assert after.keys[: len(before)] == before.keys and len(after) == Problem.objects.count()
    assert after.texts[0] is before.texts[0]  # kept, not read again
    fresh = Corpus(*corpus.problem_texts(Problem.objects.all()))
    assert after.texts == fresh.texts
    for name in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(after._matrix, name), getattr(fresh._matrix, name))
    # A problem reworded is not an addition: the corpus is fitted again.
    Problem.objects.filter(pk=before.keys[0]).update(title="执法不规范问题改写后的标题")
    assert corpus.all_problems_corpus().text_of(before.keys[0]).startswith("执法不规范问题改写后的标题")
