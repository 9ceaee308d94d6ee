"""Where the apps above feedback plug into it. Feedback may not import them (DESIGN §6: nothing imports
upwards), so they register here from their AppConfig.ready: recurrence, the similarity engine, suggests
where an item should go (the office decides; this only suggests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# The route page's 系统建议, by the app that gives it: suggest(item) -> an object with `problems` (each
# with `problem`, `score` and `terms`), `unit` and `explanation` (recurrence.services.RoutingSuggestion).
routing_suggesters: dict[str, Callable[[Any], Any]] = {}


def suggest_routing(item) -> Any | None:
    """The installed suggester's suggestion for the item; None when no suggester is installed."""
    return next((suggest(item) for suggest in routing_suggesters.values()), None)
