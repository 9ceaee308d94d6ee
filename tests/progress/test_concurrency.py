"""Two people acting on the same measure at the same moment, on two real database connections:
exactly one wins, the other is refused, and nothing is recorded twice."""

import threading

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from rectify.ledger.models import Measure
from rectify.progress import services
from rectify.progress.models import ProgressReport, SignOff

PDF = b"%PDF-1.4\n%%EOF\n"


def race(*actions) -> list[str]:
    start = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action):
        try:
            start.wait()
            action()
            outcomes.append("done")
        except Exception as error:  # anything but a clear refusal shows up in the assertion
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_two_sign_off_requests_at_once_make_one(transactional_db, ledger, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(1, 1)]
    report = services.submit_report(
        world.bob, measure.pk, text="完成。", files=[SimpleUploadedFile("a.pdf", PDF)]
    )
    services.review_report(world.alice, report.pk, decision="accept")
    outcomes = race(
        lambda: services.request_signoff(world.bob, measure.pk),
        lambda: services.request_signoff(world.hana, measure.pk),
    )
    assert outcomes == ["IllegalTransition", "done"]
    assert SignOff.objects.filter(measure=measure).count() == 1
    assert Measure.objects.get(pk=measure.pk).status == "signoff_requested"


def test_accept_and_return_of_one_report_at_once_leave_one_decision(
    transactional_db, ledger, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(1, 1)]
    report = services.submit_report(
        world.bob, measure.pk, text="进展。", files=[SimpleUploadedFile("a.pdf", PDF)]
    )
    outcomes = race(
        lambda: services.review_report(world.alice, report.pk, decision="accept"),
        lambda: services.review_report(world.alice, report.pk, decision="return", comment="不完整"),
    )
    assert outcomes == ["IllegalTransition", "done"]
    assert ProgressReport.objects.get(pk=report.pk).state in ("accepted", "returned")
