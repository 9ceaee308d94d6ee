"""Background tasks of the daily tick, on the configured Django tasks backend (settings.TASKS).

Arguments and return values are plain JSON (ids, ISO dates, dicts of numbers), so the same task runs
inline (immediate), from the database queue (`rectify db_worker`) or from Redis (`rectify rqworker`).
Both tasks may run twice or at once: the services they call announce each fact once and send each
person at most one digest a day.
"""

from __future__ import annotations

from datetime import date

from django_tasks import task

from rectify.org.models import User

from . import extensions, services
from .orders import escalate_overdue_orders


@task
def run_daily_warnings(day: str) -> dict[str, int]:
    """Raise the warnings due on `day` (YYYY-MM-DD), remind the deciders of stuck sign-offs,
    escalate supervision orders whose answer is overdue, then run the steps other apps add (feedback:
    warn of replies due or late, as `feedback_reminders`)."""
    today = date.fromisoformat(day)
    result = services.run_warnings(today)
    reminders = services.remind_stuck_signoffs(today)
    escalated = escalate_overdue_orders(today)
    steps = {name: step(today) for name, step in extensions.daily_steps.items()}
    return {
        "warnings_raised": result.warnings_raised,
        "notifications": result.notifications + reminders + sum(steps.values()),
        "signoff_reminders": reminders,
        "orders_escalated": escalated,
        **steps,
    }


@task
def deliver_digest(user_id: int, day: str) -> bool:
    """Send the person's digest for `day`; False when there was nothing to send or it already went."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False  # removed or deactivated since the tick queued it
    return services.send_digest(user, date.fromisoformat(day))
