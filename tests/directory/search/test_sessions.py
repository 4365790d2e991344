"""Next sessions computed in bulk agree with `directory.schedules`, the single source of truth."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import numpy as np
import pytest

from directory.schedules import Rule, next_occurrence
from directory.search.segments import is_simple_weekly
from directory.search.sessions import complex_next, from_minutes, simple_next, to_minutes
from directory.vocab import DAYS


def _slots(rules: list[Rule]) -> dict[str, np.ndarray]:
    rows = []
    for doc, rule in enumerate(rules):
        for day in rule.byday.split(","):
            minute = rule.opens_at.hour * 60 + rule.opens_at.minute if rule.opens_at else 0
            rows.append((doc, DAYS.index(day), minute, rule.valid_from.toordinal() if rule.valid_from else 0,
                         rule.valid_to.toordinal() if rule.valid_to else 10**7))
    cols = list(zip(*rows))
    return {k: np.asarray(v, np.int64) for k, v in zip(("doc", "day", "minute", "from", "to"), cols)}


def _random_weekly(rng: random.Random, today: date) -> Rule:
    days = ",".join(sorted(rng.sample(DAYS, rng.randint(1, 3)), key=DAYS.index))
    opens = time(rng.randint(0, 22), rng.choice((0, 15, 30, 45))) if rng.random() > 0.1 else None
    valid_from = today + timedelta(days=rng.randint(-30, 20)) if rng.random() < 0.3 else None
    valid_to = today + timedelta(days=rng.randint(-5, 30)) if rng.random() < 0.3 else None
    if valid_from and valid_to and valid_to < valid_from:
        valid_from, valid_to = valid_to, valid_from
    return Rule(freq="WEEKLY", byday=days, opens_at=opens, valid_from=valid_from, valid_to=valid_to)


@pytest.mark.parametrize("seed", range(5))
def test_bulk_weekly_sessions_match_schedules(seed):
    rng = random.Random(seed)
    now = datetime(2026, 3, 2, 9, 0) + timedelta(minutes=rng.randint(0, 60 * 24 * 14))
    rules = [_random_weekly(rng, now.date()) for _ in range(300)]
    assert all(is_simple_weekly(r) for r in rules)
    bulk = simple_next(_slots(rules), now, len(rules))
    for n, rule in enumerate(rules):
        expected = next_occurrence([rule], now.replace(second=0))
        assert from_minutes(bulk[n]) == expected, (rule, now)


def test_session_at_this_very_minute_has_already_started():
    rule = Rule(freq="WEEKLY", byday="MO", opens_at=time(10))
    monday_ten = datetime(2026, 3, 2, 10, 0, 30)
    bulk = simple_next(_slots([rule]), monday_ten, 1)
    assert from_minutes(bulk[0]) == datetime(2026, 3, 9, 10, 0)


def test_complex_rules_are_cached_until_the_session_passes():
    rule = Rule(freq="MONTHLY", byday="-1FR", opens_at=time(14))  # last Friday of the month
    cache: dict = {}
    now = datetime(2026, 3, 2, 9, 0)
    first = complex_next((rule,), now, cache, "doc")
    assert from_minutes(first) == datetime(2026, 3, 27, 14, 0)
    cache["doc"] = first + 60  # a planted value proves the cache is read while still ahead...
    assert complex_next((rule,), now + timedelta(days=1), cache, "doc") == first + 60
    after = complex_next((rule,), datetime(2026, 3, 27, 15, 30), cache, "doc")  # ...and not once passed
    assert from_minutes(after) == datetime(2026, 4, 24, 14, 0)
    assert to_minutes(from_minutes(after)) == after


def test_rules_that_never_run_again_have_no_next_session():
    ended = Rule(freq="WEEKLY", byday="TU", opens_at=time(10), valid_to=date(2026, 1, 1))
    assert simple_next(_slots([ended]), datetime(2026, 3, 2, 9), 1)[0] == np.inf
    assert from_minutes(np.inf) is None
