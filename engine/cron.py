"""Cron schedules as a CronJob reads them: the standard five fields (minute hour day-of-month
month day-of-week) with `*`, `?`, lists, ranges, `*/n` and `a-b/n` steps, month and weekday
names, and the descriptors @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly and
@every <duration> — the grammar of robfig/cron v3's ParseStandard, which the apiserver validates
with and the CronJob controller schedules by. Its error texts are that parser's.

Shared by admission (engine/admission/batch.py) and the CronJob controller, so it lives here,
beside neither.
"""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

_STAR = 1 << 63       # robfig's starBit: the field was `*` or `?` (matters for day matching)


@dataclass(frozen=True)
class _Bounds:
    low: int
    high: int
    names: dict[str, int] | None = None


_MINUTES = _Bounds(0, 59)
_HOURS = _Bounds(0, 23)
_DOM = _Bounds(1, 31)
_MONTHS = _Bounds(1, 12, {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))})
_DOW = _Bounds(0, 6, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))})
_FIELDS = (_MINUTES, _HOURS, _DOM, _MONTHS, _DOW)

_DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                "@hourly": "0 * * * *"}


class CronError(ValueError):
    pass


def _int(s: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", s):
        raise CronError(f'failed to parse int from {s}: strconv.Atoi: parsing "{s}": invalid syntax')
    return int(s)


def _value(s: str, b: _Bounds) -> int:
    if b.names and s.lower() in b.names:
        return b.names[s.lower()]
    return _int(s)


def _range(expr: str, b: _Bounds) -> int:
    range_step = expr.split("/")
    low_high = range_step[0].split("-")
    single = len(low_high) == 1
    extra = 0
    if low_high[0] in ("*", "?"):
        start, end, extra = b.low, b.high, _STAR
    else:
        start = _value(low_high[0], b)
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end = _value(low_high[1], b)
        else:
            raise CronError(f"too many hyphens: {expr}")
    if len(range_step) == 1:
        step = 1
    elif len(range_step) == 2:
        step = _int(range_step[1])
        if single:                       # "N/step" means "N-max/step"
            end = b.high
        if step > 1:
            extra = 0
    else:
        raise CronError(f"too many slashes: {expr}")
    if start < b.low:
        raise CronError(f"beginning of range ({start}) below minimum ({b.low}): {expr}")
    if end > b.high:
        raise CronError(f"end of range ({end}) above maximum ({b.high}): {expr}")
    if start > end:
        raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronError(f"step of range should be a positive number: {expr}")
    bits = 0
    for v in range(start, end + 1, step):
        bits |= 1 << v
    return bits | extra


def _field(text: str, b: _Bounds) -> int:
    bits = 0
    for expr in text.split(","):
        bits |= _range(expr, b)
    return bits


_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: bit sets per field, or a fixed period (@every)."""
    minute: int = 0
    hour: int = 0
    dom: int = 0
    month: int = 0
    dow: int = 0
    every: float = 0.0

    def _day_matches(self, t: dt.datetime) -> bool:
        dom = (self.dom >> t.day) & 1 == 1
        dow = (self.dow >> ((t.weekday() + 1) % 7)) & 1 == 1
        if self.dom & _STAR or self.dow & _STAR:
            return dom and dow
        return dom or dow

    def next_after(self, t: dt.datetime) -> dt.datetime | None:
        """The first activation strictly after `t` (an aware datetime, in the schedule's zone)."""
        if self.every:
            return t.replace(microsecond=0) + dt.timedelta(seconds=self.every)
        tz = t.tzinfo
        # Walk in wall-clock time (naive), then attach the zone, as robfig does by fields.
        cur = t.replace(tzinfo=None, second=0, microsecond=0) + dt.timedelta(minutes=1)
        limit = cur.year + 5
        while cur.year <= limit:
            if not (self.month >> cur.month) & 1:
                cur = (cur.replace(day=1, hour=0, minute=0) + dt.timedelta(days=32)).replace(day=1)
                continue
            if not self._day_matches(cur):
                cur = cur.replace(hour=0, minute=0) + dt.timedelta(days=1)
                continue
            if not (self.hour >> cur.hour) & 1:
                cur = cur.replace(minute=0) + dt.timedelta(hours=1)
                continue
            if not (self.minute >> cur.minute) & 1:
                cur += dt.timedelta(minutes=1)
                continue
            return cur.replace(tzinfo=tz)
        return None


def parse(spec: str) -> Schedule:
    """ParseStandard. Raises CronError with the parser's text."""
    spec = spec.strip()
    if not spec:
        raise CronError("empty spec string")
    if spec.startswith("TZ=") or spec.startswith("CRON_TZ="):
        head, _, spec = spec.partition(" ")
        name = head.split("=", 1)[1]
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CronError(f"provided bad location {name}: unknown time zone {name}") from None
        spec = spec.strip()
    if spec.startswith("@"):
        if spec.startswith("@every "):
            text = spec[len("@every "):].strip()
            total, pos = 0.0, 0
            for m in _DURATION.finditer(text):
                if m.start() != pos:
                    break
                total += float(m.group(1)) * _UNIT[m.group(2)]
                pos = m.end()
            if pos != len(text) or not text:
                raise CronError(f'failed to parse duration {spec}: time: invalid duration "{text}"')
            return Schedule(every=max(1.0, float(int(total))))
        if spec not in _DESCRIPTORS:
            raise CronError(f"unrecognized descriptor: {spec}")
        spec = _DESCRIPTORS[spec]
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    bits = [_field(f, b) for f, b in zip(fields, _FIELDS)]
    return Schedule(*bits)


def schedule_error(spec: str) -> str | None:
    try:
        parse(spec)
    except CronError as e:
        return str(e)
    return None


def zone(name: str | None) -> dt.tzinfo:
    """The CronJob's time zone (spec.timeZone), UTC when unset (the controller manager's)."""
    if not name:
        return dt.timezone.utc
    return zoneinfo.ZoneInfo(name)


def next_time(sched: Schedule, after: float, tz: dt.tzinfo) -> float | None:
    """Epoch seconds of the first activation strictly after epoch second `after`."""
    t = dt.datetime.fromtimestamp(after, tz)
    n = sched.next_after(t)
    return None if n is None else n.timestamp()


def most_recent(sched: Schedule, earliest: float, now: float, tz: dt.tzinfo) -> tuple[float | None, int]:
    """mostRecentScheduleTime: the latest activation in (earliest, now], and upstream's rough
    count of the activations missed since `earliest` (the interval between the first two,
    fitted into the time elapsed; the controller only needs to know "more than 100")."""
    t1 = next_time(sched, earliest, tz)
    if t1 is None or now < t1:
        return None, 0
    t2 = next_time(sched, t1, tz)
    if t2 is None or now < t2:
        return t1, 1
    between = round(t2 - t1)
    if between < 1:
        return None, 0
    missed = int((now - t1) // between) + 1
    # Walk from just before the estimated last activation (exact for irregular schedules too).
    t: float | None = next_time(sched, t1 + (missed - 2) * between, tz)
    latest = None
    while t is not None and t <= now:
        latest = t
        t = next_time(sched, t, tz)
    return latest, missed
