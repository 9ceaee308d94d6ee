"""Where the apps above progress plug into the measure page. Progress may not import them (DESIGN §6:
nothing imports upwards), so they register here from their AppConfig.ready: supervision adds the
measure's extension requests (延期) and the forms to ask for and decide one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rectify.ledger.models import Measure
from rectify.org.models import User

# A section of the measure page: section(user, measure) -> its context, in the page's context by name.
measure_sections: dict[str, Callable[[User, Measure], Any]] = {}
