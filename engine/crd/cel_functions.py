"""The functions of the CEL environment CRD validation rules are compiled in: CEL's standard
functions (size, contains, startsWith, endsWith, matches, the type conversions, duration and
timestamp with their getters), cel-go's strings extension (lowerAscii, upperAscii, trim, split,
indexOf, lastIndexOf, substring, replace, join, charAt), optionals (hasValue, value, orValue, or)
and Kubernetes' list, regex, quantity, URL, IP and CIDR libraries (isSorted, sum, min, max,
indexOf, lastIndexOf, find, findAll; quantity(), isQuantity() and the quantity methods; url(),
isURL() and the URL getters; ip(), cidr() and theirs). Error texts are cel-go's (`index out of range: 7`)."""
from __future__ import annotations

import datetime
import ipaddress
import re
import urllib.parse
from fractions import Fraction

from .. import quantity as quantities
from .cel import (CIDR, INT_MAX, INT_MIN, IP, UINT_MAX, URL, CelError, CelType, Duration, Optional, Quantity, Timestamp, UInt,
                  _compare, _int, _no_overload, equals, format_double, parse_duration, parse_timestamp, timestamp_checked,
                  type_name)

_RE_CACHE: dict[str, re.Pattern] = {}


def _regex(pattern: str) -> re.Pattern:
    """An RE2 pattern as Python's re (the syntax CRD rules use is common to both; RE2's \\z is \\Z)."""
    rx = _RE_CACHE.get(pattern)
    if rx is None:
        try:
            rx = re.compile(pattern.replace(r"\z", r"\Z"))
        except re.error as e:
            raise CelError(f"error parsing regexp: {e}") from None
        _RE_CACHE[pattern] = rx
    return rx


def _want(v, *types) -> None:
    for t in types:
        if t is int and (isinstance(v, bool) or isinstance(v, UInt)):
            continue
        if isinstance(v, t):
            return
    raise _no_overload()


def _size(v) -> int:
    if isinstance(v, (str, bytes, list, dict)):
        return len(v)
    raise _no_overload()


def _ws_trim(s: str) -> str:
    return s.strip()        # Unicode white space, as strings.TrimSpace-like unicode.IsSpace


def _split(s: str, sep: str, n: int | None) -> list:
    if n == 0:
        return []
    if sep == "":
        parts = list(s)
        if n is not None and n > 0 and len(parts) > n:
            parts = parts[:n - 1] + ["".join(parts[n - 1:])]
        return parts
    if n is None or n < 0:
        return s.split(sep)
    return s.split(sep, n - 1)


def _to_int(v) -> int:
    if isinstance(v, bool):
        raise _no_overload()
    if isinstance(v, int):
        return _int(int(v))
    if isinstance(v, float):
        if v != v or v <= INT_MIN - 1 or v >= INT_MAX or v < -9.223372036854775e18:
            raise CelError("integer overflow")
        return int(v)
    if isinstance(v, str):
        if not re.fullmatch(r"[+-]?\d+", v):
            raise CelError(f'strconv.ParseInt: parsing "{v}": invalid syntax')
        n = int(v)
        if n < INT_MIN or n > INT_MAX:
            raise CelError(f'strconv.ParseInt: parsing "{v}": value out of range')
        return n
    if isinstance(v, Timestamp):
        return v.nanos // 10**9
    if isinstance(v, Duration):
        return v.nanos
    raise _no_overload()


def _to_uint(v) -> UInt:
    if isinstance(v, bool):
        raise _no_overload()
    if isinstance(v, int):
        if v < 0 or v > UINT_MAX:
            raise CelError("unsigned integer overflow")
        return UInt(v)
    if isinstance(v, float):
        if v != v or v < 0 or v >= 1.8446744073709552e19:
            raise CelError("unsigned integer overflow")
        return UInt(int(v))
    if isinstance(v, str):
        if not re.fullmatch(r"\+?\d+", v) or int(v) > UINT_MAX:
            raise CelError(f'strconv.ParseUint: parsing "{v}": invalid syntax')
        return UInt(int(v))
    raise _no_overload()


def _to_double(v) -> float:
    if isinstance(v, bool):
        raise _no_overload()
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            raise CelError(f'strconv.ParseFloat: parsing "{v}": invalid syntax') from None
    raise _no_overload()


def format_timestamp(t: Timestamp) -> str:
    secs, nanos = divmod(t.nanos, 10**9)
    dt = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
    frac = f".{nanos:09d}".rstrip("0") if nanos else ""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def format_duration(d: Duration) -> str:
    secs, nanos = divmod(abs(d.nanos), 10**9)
    sign = "-" if d.nanos < 0 else ""
    frac = f".{nanos:09d}".rstrip("0") if nanos else ""
    return f"{sign}{secs}{frac}s"


def _to_string(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return format_double(v)
    if isinstance(v, bytes):
        try:
            return v.decode("utf-8")
        except UnicodeDecodeError:
            raise CelError("invalid UTF-8 in bytes, cannot convert to string") from None
    if isinstance(v, Timestamp):
        return format_timestamp(v)
    if isinstance(v, Duration):
        return format_duration(v)
    if isinstance(v, IP):
        return str(v.addr)
    if isinstance(v, CIDR):
        return f"{v.addr}/{v.bits}"
    raise _no_overload()


def _to_bool(v) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        if v in ("1", "t", "T", "true", "TRUE", "True"):
            return True
        if v in ("0", "f", "F", "false", "FALSE", "False"):
            return False
        raise CelError(f"type conversion error from 'string' to 'bool'")  # noqa: F541
    raise _no_overload()


def _time_part(t, name: str) -> int:
    if isinstance(t, Duration):
        n = t.nanos
        per = {"getHours": 3600 * 10**9, "getMinutes": 60 * 10**9, "getSeconds": 10**9,
               "getMilliseconds": 10**6}.get(name)
        if per is None:
            raise _no_overload()
        q = abs(n) // per
        if name == "getMilliseconds":
            q = (abs(n) // 10**6) % 1000
        return q if n >= 0 else -q
    if not isinstance(t, Timestamp):
        raise _no_overload()
    secs, nanos = divmod(t.nanos, 10**9)
    dt = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
    return {"getFullYear": dt.year, "getMonth": dt.month - 1, "getDayOfMonth": dt.day - 1, "getDate": dt.day,
            "getDayOfWeek": (dt.weekday() + 1) % 7, "getDayOfYear": dt.timetuple().tm_yday - 1,
            "getHours": dt.hour, "getMinutes": dt.minute, "getSeconds": dt.second,
            "getMilliseconds": nanos // 10**6}[name]


def _list_index(lst: list, v, last: bool) -> int:
    rng = range(len(lst) - 1, -1, -1) if last else range(len(lst))
    for i in rng:
        if equals(lst[i], v):
            return i
    return -1


def _str_index(s: str, sub: str, offset: int | None, last: bool) -> int:
    if offset is not None and (offset < 0 or offset > len(s)):
        raise CelError(f"index out of range: {offset}")
    if last:
        end = len(s) if offset is None else offset + len(sub)
        return s.rfind(sub, 0, end)
    return s.find(sub, offset or 0)


def call(fn: str, member: bool, recv, args: list):
    """Call `fn` (receiver style when `member`) on evaluated values."""
    if not member:
        if fn == "size" and len(args) == 1:
            return _size(args[0])
        if fn in ("ip", "isIP", "ip.isCanonical", "cidr", "isCIDR") and len(args) == 1:
            return _ip_function(fn, args[0])
        if fn in ("url", "isURL") and len(args) == 1:
            _want(args[0], str)
            ok = _request_uri(args[0])
            if fn == "isURL":
                return ok
            if not ok:
                raise CelError(f'URL parse error during conversion from string: parse "{args[0]}": '
                               "invalid URI for request")
            return URL(args[0])
        if fn in ("quantity", "isQuantity") and len(args) == 1:
            _want(args[0], str)
            try:
                q = Quantity(quantities.parse_quantity(args[0]))
            except quantities.QuantityError as e:
                if fn == "isQuantity":
                    return False
                raise CelError(str(e)) from None
            return True if fn == "isQuantity" else q
        if fn == "matches" and len(args) == 2:
            _want(args[0], str)
            _want(args[1], str)
            return _regex(args[1]).search(args[0]) is not None
        if len(args) != 1:
            raise _no_overload()
        v = args[0]
        if fn == "int":
            return _to_int(v)
        if fn == "uint":
            return _to_uint(v)
        if fn == "double":
            return _to_double(v)
        if fn == "string":
            return _to_string(v)
        if fn == "bool":
            return _to_bool(v)
        if fn == "bytes":
            if isinstance(v, bytes):
                return v
            _want(v, str)
            return v.encode()
        if fn == "dyn":
            return v
        if fn == "type":
            return CelType(type_name(v))
        if fn == "duration":
            if isinstance(v, Duration):
                return v
            _want(v, str)
            return parse_duration(v)
        if fn == "timestamp":
            if isinstance(v, Timestamp):
                return v
            if isinstance(v, int) and not isinstance(v, bool):
                return timestamp_checked(v * 10**9)
            _want(v, str)
            return parse_timestamp(v)
        raise _no_overload()
    n = len(args)
    if isinstance(recv, Optional):
        if fn == "hasValue" and n == 0:
            return recv.present
        if fn == "value" and n == 0:
            if not recv.present:
                raise CelError("optional.none() dereference")
            return recv.value
        if fn == "orValue" and n == 1:
            return recv.value if recv.present else args[0]
        if fn == "or" and n == 1:
            return recv if recv.present else args[0]
        raise _no_overload()
    if fn == "size" and n == 0:
        return _size(recv)
    if isinstance(recv, Quantity):
        return _quantity_method(fn, recv, args)
    if isinstance(recv, URL) and n == 0:
        return _url_part(fn, recv.text)
    if isinstance(recv, IP) and n == 0:
        return _ip_method(fn, recv.addr)
    if isinstance(recv, CIDR):
        return _cidr_method(fn, recv, args)
    if isinstance(recv, str):
        if fn in ("contains", "startsWith", "endsWith", "matches") and n == 1:
            _want(args[0], str)
            a = args[0]
            if fn == "contains":
                return a in recv
            if fn == "startsWith":
                return recv.startswith(a)
            if fn == "endsWith":
                return recv.endswith(a)
            return _regex(a).search(recv) is not None
        if fn == "lowerAscii" and n == 0:
            return "".join(c.lower() if "A" <= c <= "Z" else c for c in recv)
        if fn == "upperAscii" and n == 0:
            return "".join(c.upper() if "a" <= c <= "z" else c for c in recv)
        if fn == "trim" and n == 0:
            return _ws_trim(recv)
        if fn == "split" and n in (1, 2):
            _want(args[0], str)
            count = None
            if n == 2:
                _want(args[1], int)
                count = args[1]
            return _split(recv, args[0], count)
        if fn in ("indexOf", "lastIndexOf") and n in (1, 2):
            _want(args[0], str)
            if n == 2:
                _want(args[1], int)
            return _str_index(recv, args[0], args[1] if n == 2 else None, fn == "lastIndexOf")
        if fn == "substring" and n in (1, 2):
            start = args[0]
            _want(start, int)
            end = len(recv)
            if n == 2:
                _want(args[1], int)
                end = args[1]
            if start < 0 or start > len(recv):
                raise CelError(f"index out of range: {start}")
            if end < 0 or end > len(recv):
                raise CelError(f"index out of range: {end}")
            if start > end:
                raise CelError(f"invalid substring range. start: {start}, end: {end}")
            return recv[start:end]
        if fn == "replace" and n in (2, 3):
            _want(args[0], str)
            _want(args[1], str)
            count = -1
            if n == 3:
                _want(args[2], int)
                count = args[2]
            return recv.replace(args[0], args[1], count if count >= 0 else -1)
        if fn == "charAt" and n == 1:
            _want(args[0], int)
            i = args[0]
            if i < 0 or i > len(recv):
                raise CelError(f"index out of range: {i}")
            return recv[i:i + 1]
        if fn == "format" and n == 1:
            _want(args[0], list)
            return _format(recv, args[0])
        if fn == "find" and n == 1:
            _want(args[0], str)
            m = _regex(args[0]).search(recv)
            return m.group(0) if m else ""
        if fn == "findAll" and n in (1, 2):
            _want(args[0], str)
            found = [m.group(0) for m in _regex(args[0]).finditer(recv)]
            if n == 2:
                _want(args[1], int)
                if args[1] >= 0:
                    found = found[:args[1]]
            return found
        raise _no_overload()
    if isinstance(recv, list):
        if fn == "join" and n in (0, 1):
            sep = args[0] if n else ""
            _want(sep, str)
            for item in recv:
                if not isinstance(item, str):
                    raise _no_overload()
            return sep.join(recv)
        if fn in ("indexOf", "lastIndexOf") and n == 1:
            return _list_index(recv, args[0], fn == "lastIndexOf")
        if fn == "isSorted" and n == 0:
            return all(_compare(recv[i], recv[i + 1]) <= 0 for i in range(len(recv) - 1))
        if fn == "sum" and n == 0:
            total = None
            for item in recv:
                total = item if total is None else _add(total, item)
            return 0 if total is None else total
        if fn in ("min", "max") and n == 0:
            if not recv:
                raise CelError(f"{fn} called on empty list")
            best = recv[0]
            for item in recv[1:]:
                c = _compare(item, best)
                if (fn == "min" and c < 0) or (fn == "max" and c > 0):
                    best = item
            return best
        raise _no_overload()
    if isinstance(recv, (Timestamp, Duration)) and fn.startswith("get") and n in (0, 1):
        if n == 1 and args[0] not in ("UTC", "Z", "+00:00"):
            raise CelError(f"unsupported time zone: {args[0]}")
        return _time_part(recv, fn)
    raise _no_overload()


def _format_value(v, verb: str, precision: int | None, nested: bool = False) -> str:
    if verb == "s":
        if isinstance(v, str):
            return f'"{v}"' if nested else v
        if isinstance(v, list):
            return "[" + ", ".join(_format_value(x, "s", None, True) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{_format_value(k, 's', None, True)}: {_format_value(x, 's', None, True)}"
                                   for k, x in v.items()) + "}"
        if v is None:
            return "null"
        if isinstance(v, (Duration, Timestamp, bool, int, float, bytes)):
            return _to_string(v)
        raise CelError(f"error during formatting: string clause can only be used on strings, bools, bytes, "
                       f"ints, doubles, maps, lists, types, durations, and timestamps, was given {type_name(v)}")
    if verb == "d":
        if isinstance(v, bool) or not isinstance(v, int):
            raise CelError(f"error during formatting: decimal clause can only be used on integers, was given "
                           f"{type_name(v)}")
        return str(int(v))
    if verb in ("f", "e"):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise CelError(f"error during formatting: {'fixed-point' if verb == 'f' else 'scientific'} clause can "
                           f"only be used on doubles, was given {type_name(v)}")
        out = f"{float(v):.{6 if precision is None else precision}{verb}}"
        return out
    if verb in ("x", "X", "o", "b"):
        if isinstance(v, (str, bytes)) and verb in ("x", "X"):
            data = v.encode() if isinstance(v, str) else v
            out = data.hex()
            return out.upper() if verb == "X" else out
        if isinstance(v, bool) or not isinstance(v, int):
            raise CelError(f"error during formatting: only integers, byte buffers, and strings can be formatted "
                           f"as hex, was given {type_name(v)}")
        return format(int(v), verb)
    raise CelError(f'could not parse formatting clause: unrecognized formatting clause "{verb}"')


def _format(template: str, args: list) -> str:
    """cel-go's strings extension `format`: %s %d %f %e %x %X %o %b (with .N precision), %%."""
    out: list[str] = []
    i, used = 0, 0
    while i < len(template):
        c = template[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        if template[i + 1:i + 2] == "%":
            out.append("%")
            i += 2
            continue
        m = re.match(r"(?:\.(\d+))?([a-zA-Z])", template[i + 1:])
        if not m:
            raise CelError("could not parse formatting clause: unexpected end of string")
        if used >= len(args):
            raise CelError(f"index {used} out of range")
        out.append(_format_value(args[used], m.group(2), int(m.group(1)) if m.group(1) else None))
        used += 1
        i += 1 + m.end()
    return "".join(out)


def _parse_ip(raw: str):
    """parseIPAddr: netip.ParseAddr, refusing zones and IPv4-mapped IPv6 addresses."""
    try:
        addr = ipaddress.ip_address(raw)
    except ValueError:
        raise CelError(f'IP Address "{raw}" parse error during conversion from string: '
                       f'ParseAddr("{raw}"): unable to parse IP') from None
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.scope_id:
            raise CelError(f'IP address "{raw}" with zone value is not allowed')
        if addr.ipv4_mapped is not None:
            raise CelError(f'IPv4-mapped IPv6 address "{raw}" is not allowed')
    return addr


def _parse_cidr(raw: str) -> CIDR:
    prefix = "network address parse error during conversion from string: "
    addr_text, slash, bits_text = raw.partition("/")
    if not slash:
        raise CelError(f"{prefix}{prefix}netip.ParsePrefix(\"{raw}\"): no '/'")
    try:
        addr = ipaddress.ip_address(addr_text)
    except ValueError:
        raise CelError(f'{prefix}{prefix}netip.ParsePrefix("{raw}"): ParseAddr("{addr_text}"): '
                       "unable to parse IP") from None
    if not bits_text.isdigit() or int(bits_text) > addr.max_prefixlen or (bits_text != "0" and bits_text[0] == "0"):
        raise CelError(f'{prefix}{prefix}netip.ParsePrefix("{raw}"): bad bits after slash: "{bits_text}"')
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        raise CelError(f'IPv4-mapped IPv6 address "{raw}" is not allowed')
    return CIDR(addr, int(bits_text))


def _ip_function(fn: str, v):
    _want(v, str)
    if fn in ("ip", "ip.isCanonical"):
        addr = _parse_ip(v)
        return IP(addr) if fn == "ip" else str(addr) == v
    if fn == "cidr":
        return _parse_cidr(v)
    try:
        _parse_ip(v) if fn == "isIP" else _parse_cidr(v)
    except CelError:
        return False
    return True


def _ip_method(fn: str, addr):
    v4 = isinstance(addr, ipaddress.IPv4Address)
    if fn == "family":
        return 4 if v4 else 6
    if fn == "isUnspecified":
        return addr.is_unspecified
    if fn == "isLoopback":
        return addr.is_loopback
    if fn == "isLinkLocalMulticast":
        net = "224.0.0.0/24" if v4 else "ff02::/16"
        return addr in ipaddress.ip_network(net)
    if fn == "isLinkLocalUnicast":
        return addr in ipaddress.ip_network("169.254.0.0/16" if v4 else "fe80::/10")
    if fn == "isGlobalUnicast":
        # Go's netip: anything but unspecified, loopback, multicast, link-local unicast and the
        # IPv4 broadcast address (private ranges included)
        if addr.is_unspecified or addr.is_loopback or addr.is_multicast:
            return False
        if _ip_method("isLinkLocalUnicast", addr):
            return False
        return not (v4 and str(addr) == "255.255.255.255")
    raise _no_overload()


def _cidr_method(fn: str, c: CIDR, args: list):
    network = ipaddress.ip_network(f"{c.addr}/{c.bits}", strict=False)
    if not args:
        if fn == "ip":
            return IP(c.addr)
        if fn == "prefixLength":
            return c.bits
        if fn == "masked":
            return CIDR(network.network_address, c.bits)
        raise _no_overload()
    if len(args) != 1:
        raise _no_overload()
    other = args[0]
    if fn == "containsIP":
        addr = _parse_ip(other) if isinstance(other, str) else other.addr if isinstance(other, IP) else None
        if addr is None:
            raise _no_overload()
        return addr.version == network.version and addr in network
    if fn == "containsCIDR":
        inner = _parse_cidr(other) if isinstance(other, str) else other if isinstance(other, CIDR) else None
        if inner is None:
            raise _no_overload()
        if inner.addr.version != network.version or inner.bits < c.bits:
            return False
        return inner.addr in network
    raise _no_overload()


def _request_uri(text: str) -> bool:
    """Go's url.ParseRequestURI accepts an absolute URI or an absolute path."""
    if not text or any(c in text for c in " \x7f") or any(ord(c) < 0x20 for c in text):
        return False
    return text.startswith("/") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", text) is not None


def _url_part(fn: str, text: str):
    parts = urllib.parse.urlsplit(text)
    host = parts.netloc.rpartition("@")[2]            # Go's URL.Host leaves the user info out
    if fn == "getScheme":
        return parts.scheme
    if fn == "getHost":
        return host
    if fn in ("getHostname", "getPort"):
        if host.startswith("["):
            name, _, rest = host[1:].partition("]")
            port = rest[1:] if rest.startswith(":") else ""
        else:
            name, _, port = host.partition(":")
        return name if fn == "getHostname" else port
    if fn == "getEscapedPath":
        return parts.path
    if fn == "getQuery":
        return {k: v for k, v in urllib.parse.parse_qs(parts.query, keep_blank_values=True).items()}
    raise _no_overload()


def _quantity_method(fn: str, q: Quantity, args: list):
    """Kubernetes' quantity library (apiserver/pkg/cel/library/quantity.go) as of v1.32."""
    v = q.value
    fits = v.denominator == 1 and INT_MIN <= v <= INT_MAX
    if not args:
        if fn == "sign":
            return (v > 0) - (v < 0)
        if fn == "isInteger":
            return fits
        if fn == "asInteger":
            if not fits:
                raise CelError("cannot convert value to integer")
            return int(v)
        if fn == "asApproximateFloat":
            return float(v)
        raise _no_overload()
    if len(args) != 1:
        raise _no_overload()
    other = args[0]
    if fn in ("add", "sub") and isinstance(other, int) and not isinstance(other, (bool, UInt)):
        other = Quantity(Fraction(other))
    if not isinstance(other, Quantity):
        raise _no_overload()
    w = other.value
    if fn == "isGreaterThan":
        return v > w
    if fn == "isLessThan":
        return v < w
    if fn == "compareTo":
        return (v > w) - (v < w)
    if fn == "add":
        return Quantity(v + w)
    if fn == "sub":
        return Quantity(v - w)
    raise _no_overload()


def _add(a, b):
    from .cel import _arith
    return _arith("_+_", a, b)

