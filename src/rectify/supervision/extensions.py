"""Where the apps above supervision plug into it. Supervision may not import them (DESIGN §6: nothing
imports upwards), so they register here from their AppConfig.ready: feedback adds its reply warnings
to the daily tick and its replies falling due to the warnings page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rectify.org.models import User

# A step of the daily tick: step(today) -> how many notifications it sent, reported under its name.
daily_steps: dict[str, Callable[[date], int]] = {}

# Summary rows of an app above, counted again for a new day by the tick and when the working-day
# calendar changes: count(today).
day_counts: dict[str, Callable[[date], None]] = {}


def count_again(today: date) -> None:
    """Every app's summary rows counted again for `today` (day_counts)."""
    for count in day_counts.values():
        count(today)


# A section of the warnings page: rows(user, today, limit) -> its rows, in the page's context by name.
warning_sections: dict[str, Callable[[User, date, int], list]] = {}
