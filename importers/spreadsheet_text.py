"""Reading what people actually type into directory spreadsheets.

"Mon & Wed 10-12", "Tuesdays 10am - 11.30am", "1st Monday of the month 7-9pm", "Mon-Fri
9:00-17:00", "fortnightly Thursday 2pm"; "Free", "£2", "£2.50 (concessions £1)", "donation";
dates as text, as Excel serial numbers or as real dates. Each parser returns plain values or
raises `ValueError` with a message that can be shown next to the row and column.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil import parser as dateparser

from importers.records import CostRecord, ScheduleRecord

_DAYS = {
    "mo": "MO", "mon": "MO", "monday": "MO", "tu": "TU", "tue": "TU", "tues": "TU", "tuesday": "TU",
    "we": "WE", "wed": "WE", "weds": "WE", "wednesday": "WE", "th": "TH", "thu": "TH", "thur": "TH",
    "thurs": "TH", "thursday": "TH", "fr": "FR", "fri": "FR", "friday": "FR", "sa": "SA", "sat": "SA",
    "saturday": "SA", "su": "SU", "sun": "SU", "sunday": "SU",
}
_ORDER = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ORDINALS = {"1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4,
             "last": -1, "final": -1}
_DAY_WORD = (r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|weds|wed|thurs|thur|thu"
             r"|fri|sat|sun)(s|\.)?")
_DAY_RE = re.compile(rf"\b{_DAY_WORD}\b", re.I)
_RANGE_RE = re.compile(rf"\b{_DAY_WORD}\s*(?:-|–|to|until)\s*{_DAY_WORD}\b", re.I)
_ORDINAL_RE = re.compile(r"\b(1st|2nd|3rd|4th|first|second|third|fourth|last|final)\b", re.I)
_TIME = r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
_TIME_RANGE_RE = re.compile(rf"{_TIME}\s*(?:-|–|to|until)\s*{_TIME}", re.I)
_SINGLE_TIME_RE = re.compile(rf"\b(?:at|from)?\s*{_TIME}\b", re.I)
_MONEY_RE = re.compile(r"£\s*(\d+(?:\.\d{1,2})?)|(\d+(?:\.\d{1,2})?)\s*p\b|\b(\d+\.\d{2})\b|\b(\d+)\s*(?:pounds?|gbp)\b", re.I)
_FREE_WORDS = ("free", "no charge", "no cost", "nil", "£0")
_DONATION_WORDS = ("donation", "pay as you feel", "pay what you can", "voluntary contribution")


def _day_sequence(first: str, last: str) -> list[str]:
    a, b = _ORDER.index(first), _ORDER.index(last)
    return list(_ORDER[a:b + 1]) if a <= b else list(_ORDER[a:] + _ORDER[:b + 1])


def _hour(h: str, m: str | None, meridiem: str | None) -> tuple[int, int, str | None]:
    hour, minute = int(h), int(m or 0)
    mer = meridiem.lower().replace(".", "") if meridiem else None
    if hour > 23 or minute > 59:
        raise ValueError(f"{h}:{m or '00'} is not a time of day")
    return hour, minute, mer


def _to_time(hour: int, minute: int, mer: str | None) -> time:
    if mer == "pm" and hour < 12:
        hour += 12
    if mer == "am" and hour == 12:
        hour = 0
    return time(hour, minute)


def parse_times(text: str) -> tuple[time | None, time | None]:
    """"10-12" -> 10:00-12:00; "7-9pm" -> 19:00-21:00; "2pm" -> 14:00, None."""
    match = _TIME_RANGE_RE.search(text)
    if match:
        h1, m1, mer1 = _hour(*match.group(1, 2, 3))
        h2, m2, mer2 = _hour(*match.group(4, 5, 6))
        if mer1 is None and mer2 is not None:
            # "7-9pm": the meridiem covers both, unless that would put the start after the end.
            mer1 = mer2 if _to_time(h1, m1, mer2) < _to_time(h2, m2, mer2) else "am"
        if mer1 is None and mer2 is None and h1 <= 12 and h2 <= 12:
            # Community groups do not meet at 2am: small bare hours are afternoon or evening.
            if h2 < h1 or h2 <= 7:
                mer2 = "pm"
            if h1 <= 7:
                mer1 = "pm"
        start, end = _to_time(h1, m1, mer1), _to_time(h2, m2, mer2)
        if end <= start:
            raise ValueError(f"the end time {end:%H:%M} is not after the start time {start:%H:%M}")
        return start, end
    match = re.search(rf"(?<![\d/]){_TIME}(?![\d/])", text)
    if match and (match.group(3) or match.group(2)):
        h, m, mer = _hour(*match.group(1, 2, 3))
        return _to_time(h, m, mer), None
    return None, None


def parse_when(text: str) -> list[ScheduleRecord]:
    """Free-text days and times -> schedule rules. Several parts may be split by ';' or 'and'."""
    text = str(text or "").strip()
    if not text:
        return []
    lowered = text.lower()
    if any(w in lowered for w in ("appointment", "by arrangement", "on request")):
        return [ScheduleRecord(by_appointment=True, description=text)]
    rules = []
    for part in re.split(r";|\n|,\s*(?=[A-Za-z]{3,}\w*\s+\d)", text):
        part = part.strip()
        if part:
            rules.append(_parse_part(part, text))
    return rules


def _parse_part(part: str, whole: str) -> ScheduleRecord:
    days: list[str] = []
    remainder = part
    for match in _RANGE_RE.finditer(part):
        days += _day_sequence(_DAYS[match.group(1).lower()], _DAYS[match.group(3).lower()])
        remainder = remainder.replace(match.group(0), " ")
    for match in _DAY_RE.finditer(remainder):
        code = _DAYS[match.group(1).lower()]
        if code not in days:
            days.append(code)
    lowered = part.lower()
    if "weekday" in lowered:
        days += [d for d in _ORDER[:5] if d not in days]
    if "daily" in lowered or "every day" in lowered:
        days = list(_ORDER)
    days = [d for d in _ORDER if d in days]
    ordinals = [_ORDINALS[m.group(1).lower()] for m in _ORDINAL_RE.finditer(part)]
    opens, closes = parse_times(_RANGE_RE.sub(" ", part))
    if not days:
        raise ValueError(f"cannot find a day of the week in {part!r} (write e.g. 'Mon & Wed 10-12')")
    interval = 2 if any(w in lowered for w in ("fortnight", "every other", "alternate")) else 1
    if ordinals or "month" in lowered:
        byday = ",".join(f"{n}{d}" for d in days for n in (ordinals or [1]))
        return ScheduleRecord(freq="MONTHLY", byday=byday, opens_at=opens, closes_at=closes, description=whole)
    return ScheduleRecord(freq="WEEKLY", interval=interval, byday=",".join(days), opens_at=opens,
                          closes_at=closes, description=whole)


def parse_cost(text) -> list[CostRecord]:
    """"Free" / "£2" / "£2.50 (concessions £1)" / "donation" -> cost options; [] when blank."""
    if text is None:
        return []
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        if text < 0:
            raise ValueError(f"{text} is a negative price")
        return [CostRecord(amount=Decimal(str(text)).quantize(Decimal("0.01")))]
    raw = str(text).strip()
    if not raw:
        return []
    lowered = raw.lower()
    if any(w == lowered or lowered.startswith(w) for w in _FREE_WORDS):
        return [CostRecord(amount=Decimal("0.00"), option="Free")]
    prices = []
    for match in _MONEY_RE.finditer(raw):
        pounds, pence, bare, words = match.groups()
        value = Decimal(pounds or bare or words) if (pounds or bare or words) else Decimal(pence) / 100
        prices.append((value.quantize(Decimal("0.01")), match.start(), match.end()))
    if not prices:
        if any(w in lowered for w in _DONATION_WORDS):
            return [CostRecord(amount=None, amount_description=raw)]
        try:
            return parse_cost(Decimal(raw))
        except ArithmeticError:
            raise ValueError(f"{raw!r} is not a price (write e.g. Free, £2 or £2.50 (concessions £1))") from None
    # Words between two prices: before a separator they describe the price on the left
    # ("£5 adults, £2 children"), after it the price on the right ("£2.50 (concessions £1)").
    labels = [[raw[:prices[0][1]]] + [""] for _ in prices][:1] + [["", ""] for _ in prices[1:]]
    for i in range(len(prices) - 1):
        gap = raw[prices[i][2]:prices[i + 1][1]]
        cut = re.search(r"[,;/(]|\bor\b", gap)
        left, right = (gap[:cut.start()], gap[cut.end():]) if cut else ("", gap)
        labels[i][1] += left
        labels[i + 1][0] += right
    labels[-1][1] += raw[prices[-1][2]:]
    costs = []
    for (amount, _, _), (before, after) in zip(prices, labels):
        words = [" ".join(re.sub(r"[()£,:;/\-]+", " ", t).split()) for t in (before, after)]
        label = " ".join(w for w in words if w).strip(" .") or None
        costs.append(CostRecord(amount=amount, option=label[:255] if label else None))
    if "free" in lowered and all(c.amount for c in costs):
        costs.append(CostRecord(amount=Decimal("0.00"), option="Free for some"))
    if len(costs) == 1 and costs[0].option is None and len(raw) > len("£0.00"):
        costs[0].amount_description = raw[:255]
    return costs


def parse_date(value) -> date | None:
    """A real date, an Excel serial number (e.g. 45658) or text in British order (day first)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) or re.fullmatch(r"\d{5}(\.\d+)?", str(value).strip()):
        serial = float(value)
        if not 20000 < serial < 80000:
            raise ValueError(f"{value} is not a date")
        return date(1899, 12, 30) + timedelta(days=int(serial))  # Excel's day zero (with its 1900 leap bug)
    try:
        return dateparser.parse(str(value), dayfirst=True).date()
    except (ValueError, OverflowError):
        raise ValueError(f"{value!r} is not a date (write e.g. 14/03/2026)") from None


def parse_int(value, what: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().rstrip("+").strip()
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number of years for {what}") from None
    if number != int(number):
        raise ValueError(f"{value!r} is not a whole number of years for {what}")
    return int(number)


def parse_ages(text) -> tuple[int | None, int | None]:
    """"18+", "50 and over", "16-25", "under 18", "All ages"."""
    if text is None or str(text).strip() == "":
        return None, None
    raw = str(text).lower()
    numbers = [int(n) for n in re.findall(r"\d+", raw)]
    if "all" in raw and not numbers:
        return None, None
    if not numbers:
        raise ValueError(f"{text!r} is not an age range (write e.g. 18+, 16-25 or under 18)")
    if len(numbers) >= 2:
        return numbers[0], numbers[1]
    if any(w in raw for w in ("under", "up to", "below", "<")):
        return None, numbers[0] - (1 if "under" in raw or "below" in raw or "<" in raw else 0)
    return numbers[0], None
