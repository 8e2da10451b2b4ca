"""Queue positions and waiting-time estimates, and when a change is worth telling.

Pure arithmetic: callers supply positions and recent waits from the store.
"""

from __future__ import annotations

import math
from statistics import median

DEFAULT_MINUTES_PER_PLACE = 5.0
MEANINGFUL_STEP = 3
ALWAYS_TELL_FROM = 3


def estimate_minutes(position: int, recent_waits: list[float]) -> int:
    """A rough wait: the median recent wait of the route (`bot/queueing.RecentWaits`, from
    the rolling aggregate `bot/store/queue_waits.py`) per place ahead.

    Recent waits already reflect how many counsellors were serving. With no history the
    pace is five minutes a place. Always at least one minute; the pace is clamped to
    1-30 minutes a place so that one stuck conversation cannot promise hours.
    """
    per_place = median(recent_waits) if recent_waits else DEFAULT_MINUTES_PER_PLACE
    per_place = min(30.0, max(1.0, per_place))
    return max(1, math.ceil(per_place * position))


def should_tell(previous: int | None, current: int) -> bool:
    """Tell a resident their new place only when it moved forward meaningfully.

    Moving back (an urgent conversation went ahead) is not announced: it would only worry.
    """
    if previous is None:
        return True
    if current >= previous:
        return False
    return current <= ALWAYS_TELL_FROM or previous - current >= MEANINGFUL_STEP
