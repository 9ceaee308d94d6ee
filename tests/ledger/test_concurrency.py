"""Two people saving the same measure at the same moment, on two real database connections."""

import threading
from datetime import date

from django.db import connection

from rectify.errors import StaleEdit
from rectify.ledger import services


def test_two_simultaneous_edits_from_the_same_version_cannot_both_win(transactional_db, ledger, world):
    measure = ledger.measures[(1, 1)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(deadline: date) -> None:
        try:
            start.wait()
            services.update_measure_assignment(world.alice, measure.pk, version=1, deadline=deadline)
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(date(2025, 7, day),)) for day in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["saved", "stale"]
    measure.refresh_from_db()
    assert measure.version == 2 and measure.deadline in (date(2025, 7, 1), date(2025, 7, 2))
