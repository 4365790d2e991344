"""Next sessions for many listings at once, agreeing exactly with `directory.schedules`.

Sorting by "soonest" or filtering to "the next 7 days" needs the next session of every
candidate, not just of the page shown. Most listings meet weekly on fixed days, and for those
the answer is arithmetic on day numbers, done for all of them in one numpy pass. The rest
(monthly, fortnightly, with exception dates) go through `directory.schedules.next_occurrence`,
and the answer is remembered until that session has passed: no session can appear between
"now" and a remembered next session, so the cached value stays right until then.

Times are minutes since 0001-01-01 00:00 in local (Europe/London) wall-clock time, the way
schedules are written; `math.inf` means "no upcoming session".
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np

from directory.schedules import next_occurrence

LOCAL = ZoneInfo("Europe/London")
MINUTES_PER_DAY = 1440


def local_now(now: datetime | None = None) -> datetime:
    """`now` (default: the present) as a naive Europe/London wall-clock time."""
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is not None:
        now = now.astimezone(LOCAL).replace(tzinfo=None)
    return now


def to_minutes(moment: datetime) -> int:
    return moment.toordinal() * MINUTES_PER_DAY + moment.hour * 60 + moment.minute


def from_minutes(minutes: float) -> datetime | None:
    if not np.isfinite(minutes):
        return None
    day, minute = divmod(int(minutes), MINUTES_PER_DAY)
    return datetime.fromordinal(day) + timedelta(minutes=minute)


def simple_next(slots: dict[str, np.ndarray], now: datetime, size: int) -> np.ndarray:
    """Next session per row from simple weekly slots (inf where a row has none)."""
    out = np.full(size, np.inf)
    if len(slots["doc"]) == 0:
        return out
    today = now.toordinal()
    now_minute = now.hour * 60 + now.minute
    start = np.maximum(today, slots["from"])  # a schedule may not have begun yet
    day = start + (slots["day"] - (start - 1) % 7) % 7  # ordinal 1 was a Monday
    # Today's session has gone if it started at or before this minute (schedules.next_* is strict).
    day = np.where((day == today) & (slots["minute"] <= now_minute), day + 7, day)
    minutes = (day * MINUTES_PER_DAY + slots["minute"]).astype(np.float64)
    minutes[day > slots["to"]] = np.inf
    np.minimum.at(out, slots["doc"], minutes)
    return out


def complex_next(rules, now: datetime, cache: dict, key) -> float:
    """Next session for rules that need the full recurrence engine, cached until it passes."""
    now_minutes = to_minutes(now)
    cached = cache.get(key)
    if cached is not None and cached > now_minutes:
        return cached
    # Whole minutes: a session at 10:00 has begun by 10:00:30, as in the simple path.
    moment = next_occurrence(rules, now.replace(second=0, microsecond=0))
    value = float(to_minutes(moment)) if moment else np.inf
    cache[key] = value
    return value
