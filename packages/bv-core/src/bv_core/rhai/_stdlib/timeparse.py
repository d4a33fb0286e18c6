"""Date-time parsing as BlockVisor's ``parse_rfc3339`` and ``parse_time`` do it with
chrono (``DateTime::parse_from_rfc3339`` / ``DateTime::parse_from_str``): the result is
Unix seconds, the input must carry a UTC offset, and errors use chrono's messages.

``parse_time`` understands chrono's strftime specifiers for parsing: %Y %C %y %m %b %h %B
%d %e %a %A %j %H %k %I %l %p %P %M %S %f %.f %.3f %.6f %.9f %3f %6f %9f %z %:z %#z %Z %s
%T %R %D %F %x %X %r %c %v %+ %u %w %n %t %%. Whitespace in the format skips any
whitespace in the input, and numeric fields skip leading whitespace, as in chrono."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field

__all__ = ["TimeParseError", "parse_rfc3339", "parse_time"]

# chrono's ParseErrorKind messages
OUT_OF_RANGE = "input is out of range"
IMPOSSIBLE = "no possible date and time matching input"
NOT_ENOUGH = "input is not enough for unique date and time"
INVALID = "input contains invalid characters"
TOO_SHORT = "premature end of input"
TOO_LONG = "trailing input"
BAD_FORMAT = "bad or unsupported format string"


class TimeParseError(ValueError):
    """A date-time text does not match; ``str()`` is chrono's message."""


_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]  # fmt: skip
_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


def _to_timestamp(
    year: int, month: int, day: int, hour: int, minute: int, second: int, offset: int
) -> int:
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 60):
        raise TimeParseError(OUT_OF_RANGE)
    if year < 1 or day > calendar.monthrange(year, month)[1]:
        raise TimeParseError(OUT_OF_RANGE)
    second = min(second, 59)  # chrono folds a leap second into second 59
    days = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    return days - offset


def parse_rfc3339(text: str) -> int:
    """Unix seconds of an RFC 3339 date-time such as ``2024-01-02T03:04:05.6+01:00``."""
    m = _RFC3339.match(text)
    if m is None:
        raise TimeParseError(TOO_SHORT if _is_prefix_of_rfc3339(text) else INVALID)
    if m.end() != len(text):
        raise TimeParseError(TOO_LONG)
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    offset = 0
    if m.group(9):
        oh, om = int(m.group(10)), int(m.group(11))
        if om > 59 or oh > 23:
            raise TimeParseError(OUT_OF_RANGE)
        offset = (oh * 3600 + om * 60) * (-1 if m.group(9) == "-" else 1)
    return _to_timestamp(year, month, day, hour, minute, second, offset)


_PREFIX_PATTERN = "dddd-dd-ddTdd:dd:dd"


def _is_prefix_of_rfc3339(text: str) -> bool:
    """Whether ``text`` is a correct but cut-off start of an RFC 3339 date-time."""
    if len(text) >= len(_PREFIX_PATTERN):
        return False
    for ch, want in zip(text, _PREFIX_PATTERN, strict=False):
        if want == "d":
            if not ch.isdigit():
                return False
        elif want == "T":
            if ch not in "Tt ":
                return False
        elif ch != want:
            return False
    return True


# --- strftime-style parsing ---------------------------------------------------------------

_EXPANSIONS = {
    "T": "%H:%M:%S", "R": "%H:%M", "D": "%m/%d/%y", "F": "%Y-%m-%d", "x": "%m/%d/%y",
    "X": "%H:%M:%S", "r": "%I:%M:%S %p", "c": "%a %b %e %H:%M:%S %Y", "v": "%e-%b-%Y",
}  # fmt: skip


@dataclass
class _Parsed:
    fields: dict[str, int] = field(default_factory=dict)

    def set(self, name: str, value: int) -> None:
        old = self.fields.get(name)
        if old is not None and old != value:
            raise TimeParseError(IMPOSSIBLE)
        self.fields[name] = value


class _Scanner:
    def __init__(self, text: str) -> None:
        self.s = text

    def number(self, min_digits: int, max_digits: int) -> int:
        if not self.s:
            raise TimeParseError(TOO_SHORT)
        n = 0
        while n < max_digits and n < len(self.s) and self.s[n].isascii() and self.s[n].isdigit():
            n += 1
        if n < min_digits:
            raise TimeParseError(INVALID)
        value = int(self.s[:n])
        self.s = self.s[n:]
        return value

    def literal(self, text: str) -> None:
        if self.s.startswith(text):
            self.s = self.s[len(text) :]
        elif len(self.s) < len(text) and text.startswith(self.s):
            raise TimeParseError(TOO_SHORT)
        else:
            raise TimeParseError(INVALID)

    def skip_space(self) -> None:
        self.s = self.s.lstrip()

    def name(self, names: list[str]) -> int:
        low = self.s.lower()
        for i, full in enumerate(names):
            for candidate in (full, full[:3]):
                if low.startswith(candidate):
                    self.s = self.s[len(candidate) :]
                    return i
        raise TimeParseError(TOO_SHORT if not self.s else INVALID)

    def offset(self, allow_zulu: bool, colon_required: bool) -> int:
        if not self.s:
            raise TimeParseError(TOO_SHORT)
        if allow_zulu and self.s[0] in "Zz":
            self.s = self.s[1:]
            return 0
        sign = self.s[0]
        if sign not in "+-":
            raise TimeParseError(INVALID)
        self.s = self.s[1:]
        hours = self.number(2, 2)
        if self.s[:1] == ":":
            self.s = self.s[1:]
        elif colon_required:
            raise TimeParseError(INVALID if self.s else TOO_SHORT)
        minutes = self.number(2, 2)
        if minutes > 59:
            raise TimeParseError(OUT_OF_RANGE)
        value = hours * 3600 + minutes * 60
        return -value if sign == "-" else value

    def fraction(self) -> int:
        start = self.s
        digits = len(start) - len(start.lstrip("0123456789"))
        if digits == 0:
            raise TimeParseError(INVALID if start else TOO_SHORT)
        self.s = start[digits:]
        return int(start[: min(digits, 9)].ljust(9, "0"))


def _expand(fmt: str) -> str:
    for _ in range(3):
        fmt = re.sub(r"%([TRDFxXrcv])", lambda m: _EXPANSIONS[m.group(1)], fmt)
    return fmt


def _numeric(sc: _Scanner, p: _Parsed, spec: str) -> None:
    sc.skip_space()
    if spec == "Y":
        if sc.s[:1] in ("-", "+"):
            sign = -1 if sc.s[0] == "-" else 1
            sc.s = sc.s[1:]
            p.set("year", sign * sc.number(1, 18))
        else:
            p.set("year", sc.number(1, 4))
        return
    if spec == "s":
        sign = 1
        if sc.s[:1] == "-":
            sign, sc.s = -1, sc.s[1:]
        p.set("timestamp", sign * sc.number(1, 19))
        return
    width = {"C": 2, "y": 2, "m": 2, "d": 2, "e": 2, "j": 3, "H": 2, "k": 2, "I": 2, "l": 2,
             "M": 2, "S": 2, "u": 1, "w": 1, "f": 9}[spec]  # fmt: skip
    value = sc.number(1, width)
    name = {"e": "d", "k": "H", "l": "I"}.get(spec, spec)
    limits = {"m": (1, 12), "d": (1, 31), "H": (0, 23), "I": (1, 12), "M": (0, 59), "S": (0, 60),
              "j": (1, 366), "u": (1, 7), "w": (0, 6)}  # fmt: skip
    lo, hi = limits.get(name, (0, 10**18))
    if not lo <= value <= hi:
        raise TimeParseError(OUT_OF_RANGE)
    p.set(name, value)


def _fixed(sc: _Scanner, p: _Parsed, spec: str) -> None:
    if spec in ("b", "h", "B"):
        p.set("m", sc.name(_MONTHS) + 1)
    elif spec in ("a", "A"):
        p.set("weekday", sc.name(_DAYS))
    elif spec in ("p", "P"):
        word = sc.s[:2].lower()
        if word not in ("am", "pm"):
            raise TimeParseError(TOO_SHORT if len(sc.s) < 2 else INVALID)
        sc.s = sc.s[2:]
        p.set("pm", 1 if word == "pm" else 0)
    elif spec == "z":
        p.set("offset", sc.offset(allow_zulu=False, colon_required=False))
    elif spec == ":z":
        p.set("offset", sc.offset(allow_zulu=False, colon_required=True))
    elif spec == "#z":
        p.set("offset", sc.offset(allow_zulu=True, colon_required=False))
    elif spec == "Z":
        # chrono cannot resolve zone names: it skips the name and sets no offset.
        end = 0
        while end < len(sc.s) and not sc.s[end].isspace():
            end += 1
        sc.s = sc.s[end:]
    elif spec.startswith(".") and spec.endswith("f"):
        if sc.s[:1] == ".":
            sc.s = sc.s[1:]
            p.set("nanos", sc.fraction())
    elif spec in ("3f", "6f", "9f"):
        n = int(spec[0])
        if len(sc.s) < n:
            raise TimeParseError(TOO_SHORT)
        digits = sc.s[:n]
        if not (digits.isascii() and digits.isdigit()):
            raise TimeParseError(INVALID)
        sc.s = sc.s[n:]
        p.set("nanos", int(digits.ljust(9, "0")))
    elif spec == "+":
        rest = sc.s
        m = _RFC3339.match(rest)
        if m is None:
            raise TimeParseError(INVALID)
        sc.s = rest[m.end() :]
        ts = parse_rfc3339(m.group(0))
        p.set("timestamp", ts)
        off = (
            0
            if m.group(8)
            else (int(m.group(10)) * 3600 + int(m.group(11)) * 60)
            * (-1 if m.group(9) == "-" else 1)
        )
        p.set("offset", off)
    else:
        raise TimeParseError(BAD_FORMAT)


_SPEC = re.compile(r"%(\.[369]?f|[369]f|:z|#z|[A-Za-z%+])")


def _resolve(p: _Parsed) -> int:
    f = p.fields
    if "offset" not in f:
        raise TimeParseError(NOT_ENOUGH)
    if "timestamp" in f:
        return f["timestamp"]
    year = f.get("year")
    if year is None and "C" in f and "y" in f:
        year = f["C"] * 100 + f["y"]
    elif year is None and "y" in f:
        year = f["y"] + (2000 if f["y"] < 70 else 1900)
    if year is None:
        raise TimeParseError(NOT_ENOUGH)
    if "m" in f and "d" in f:
        month, day = f["m"], f["d"]
    elif "j" in f:
        try:
            date = datetime.date(year, 1, 1) + datetime.timedelta(days=f["j"] - 1)
        except (ValueError, OverflowError):
            raise TimeParseError(OUT_OF_RANGE) from None
        if date.year != year:
            raise TimeParseError(OUT_OF_RANGE)
        month, day = date.month, date.day
    else:
        raise TimeParseError(NOT_ENOUGH)
    if "H" in f:
        hour = f["H"]
    elif "I" in f and "pm" in f:
        hour = f["I"] % 12 + 12 * f["pm"]
    else:
        raise TimeParseError(NOT_ENOUGH)
    if "M" not in f:
        raise TimeParseError(NOT_ENOUGH)
    return _to_timestamp(year, month, day, hour, f["M"], f.get("S", 0), f["offset"])


def parse_time(text: str, fmt: str) -> int:
    """Unix seconds of ``text`` read with the strftime-style ``fmt`` (which must include
    a UTC offset, e.g. ``%Y-%m-%d %H:%M:%S %z``)."""
    sc, p = _Scanner(text), _Parsed()
    fmt = _expand(fmt)
    pos = 0
    while pos < len(fmt):
        ch = fmt[pos]
        if ch == "%":
            m = _SPEC.match(fmt, pos)
            if m is None:
                raise TimeParseError(BAD_FORMAT)
            spec = m.group(1)
            pos = m.end()
            if spec == "%":
                sc.literal("%")
            elif spec in ("n", "t"):
                sc.skip_space()
            elif spec in (
                "Y",
                "C",
                "y",
                "m",
                "d",
                "e",
                "j",
                "H",
                "k",
                "I",
                "l",
                "M",
                "S",
                "f",
                "s",
                "u",
                "w",
            ):
                _numeric(sc, p, spec)
            else:
                _fixed(sc, p, spec)
        elif ch.isspace():
            sc.skip_space()
            pos += 1
        else:
            sc.literal(ch)
            pos += 1
    if sc.s:
        raise TimeParseError(TOO_LONG)
    return _resolve(p)
