"""A subset of the Common Expression Language (CEL), as the apiserver compiles and evaluates
CustomResourceDefinitions' `x-kubernetes-validations` rules (cel-go with Kubernetes' base
environment): the parser, a light type checker that finds the compile-time errors a learner meets
most (syntax, undeclared references, undefined fields, mismatched operand types, a non-bool rule)
and an evaluator with CEL's runtime semantics (int64 overflow, error-absorbing `&&`/`||`,
heterogeneous numeric equality, the macros, the string and list extension libraries).

Values are Python's JSON values, with `UInt` for CEL's uint, `bytes` for bytes, `Duration` and
`Timestamp` for the time types and `Optional` for optionals; the CRD side converts a custom
object's fields to these by its schema (cel_rules.py). Cost limits are not modelled."""
from __future__ import annotations

import datetime
import ipaddress
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1
UINT_MAX = (1 << 64) - 1


class CelError(Exception):
    """A runtime error, worded as cel-go's (`no such key: x`, `integer overflow`)."""


class CelCompileError(Exception):
    """Compile issues: [(offset, message)], rendered as cel-go's Issues.String()."""

    def __init__(self, source: str, issues: list[tuple[int, str]]):
        super().__init__(issues[0][1] if issues else "")
        self.source = source
        self.issues = issues

    def render(self) -> str:
        return "\n".join(_display(self.source, pos, msg) for pos, msg in sorted(self.issues, key=lambda i: i[0]))


def _display(source: str, pos: int, msg: str) -> str:
    """cel-go's Error.ToDisplayString: `ERROR: <input>:L:C: msg`, the line and a caret under it."""
    line_start = source.rfind("\n", 0, pos) + 1
    line_no = source.count("\n", 0, pos) + 1
    col = pos - line_start
    end = source.find("\n", line_start)
    snippet = source[line_start:end if end >= 0 else len(source)].replace("\t", " ")
    return f"ERROR: <input>:{line_no}:{col + 1}: {msg}\n | {snippet}\n | {'.' * col}^"


class UInt(int):
    """CEL's uint (a distinct type from int: 1u == 1 holds, 1u + 1 is a type error)."""

    def __repr__(self) -> str:
        return f"{int(self)}u"


class MapList(list):
    """A list with x-kubernetes-list-type: map: equal to another by its items' keys, in any order."""

    def __init__(self, items, keys):
        super().__init__(items)
        self.keys = tuple(keys)

    def key_of(self, item) -> str:
        return repr([item.get(k) for k in self.keys]) if isinstance(item, dict) else repr(item)


class SetList(list):
    """A list with x-kubernetes-list-type: set: equal to another with the same items, in any order."""


@dataclass(frozen=True)
class Duration:
    nanos: int


@dataclass(frozen=True)
class Timestamp:
    nanos: int       # since the Unix epoch, UTC


_MIN_UNIX, _MAX_UNIX = -62135596800, 253402300799      # 0001-01-01 .. 9999-12-31T23:59:59 (cel-go's range)


def timestamp_checked(nanos: int) -> Timestamp:
    if not _MIN_UNIX <= nanos // 10**9 <= _MAX_UNIX:
        raise CelError("timestamp overflow")
    return Timestamp(nanos)


@dataclass(frozen=True)
class Quantity:
    """Kubernetes' CEL quantity (`quantity('1Gi')`), compared by value."""
    value: Fraction


@dataclass(frozen=True)
class IP:
    """Kubernetes' CEL IP address (`ip('10.0.0.1')`)."""
    addr: ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class CIDR:
    """Kubernetes' CEL CIDR (`cidr('10.0.0.0/8')`): an address and a prefix length, unmasked."""
    addr: ipaddress.IPv4Address | ipaddress.IPv6Address
    bits: int


@dataclass(frozen=True)
class URL:
    """Kubernetes' CEL URL (`url('https://example.com:80/p')`), compared by its text."""
    text: str


@dataclass(frozen=True)
class Optional:
    value: object = None
    present: bool = False


NONE = Optional()


# ---- lexer ---------------------------------------------------------------------------------------

_PUNCT = ["&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",",
          "(", ")", "[", "]", "{", "}"]
_RESERVED = {"as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
             "package", "namespace", "return", "var", "void", "while"}
_NUM = re.compile(r"0[xX][0-9a-fA-F]+[uU]?|(\d+\.\d+|\.\d+|\d+)([eE][+-]?\d+)?[uU]?")
_IDENT = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_SIMPLE_ESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
               "'": "'", '"': '"', "`": "`", "?": "?"}


@dataclass
class Tok:
    kind: str       # int uint double string bytes ident op eof
    value: Any
    pos: int
    text: str


def _unescape(body: str, raw: bool, is_bytes: bool) -> str | bytes:
    if raw:
        return body.encode() if is_bytes else body
    out: list = []          # str pieces, or ints (bytes) for \x and octal escapes in bytes
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1] if i + 1 < len(body) else ""
        if n in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[n])
            i += 2
        elif n in "xX" and re.fullmatch(r"[0-9a-fA-F]{2}", body[i + 2:i + 4]):
            v = int(body[i + 2:i + 4], 16)
            out.append(v if is_bytes else chr(v))
            i += 4
        elif n == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]) and not is_bytes:
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif n == "U" and re.fullmatch(r"[0-9a-fA-F]{8}", body[i + 2:i + 10]) and not is_bytes:
            out.append(chr(int(body[i + 2:i + 10], 16)))
            i += 10
        elif re.fullmatch(r"[0-3][0-7]{2}", body[i + 1:i + 4]):
            v = int(body[i + 1:i + 4], 8)
            out.append(v if is_bytes else chr(v))
            i += 4
        else:
            raise ValueError(i + 2)         # where the lexer gives up: after the bad escape
    if is_bytes:
        return b"".join(bytes([p]) if isinstance(p, int) else p.encode() for p in out)
    return "".join(out)


def tokenize(src: str, issues: list[tuple[int, str]]) -> list[Tok]:
    """The tokens of `src`; what cannot be lexed goes to `issues` as ANTLR's lexer reports it
    (`token recognition error at: '<text>'`, the text up to where it gave up) and lexing goes on
    one character later, as ANTLR's does."""
    toks: list[Tok] = []
    i, n = 0, len(src)

    def bad(start: int, end: int) -> int:
        issues.append((start, f"Syntax error: token recognition error at: '{src[start:end]}'"))
        return start + 1

    while i < n:
        c = src[i]
        if c in " \t\r\n\f":
            i += 1
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        start = i
        m = re.match(r"([rR][bB]?|[bB][rR]?)?('''|\"\"\"|'|\")", src[i:])
        ident = _IDENT.match(src, i)
        if m and (m.group(1) is None or (ident is not None and ident.end() == i + len(m.group(1)))):
            prefix = (m.group(1) or "").lower()
            quote = m.group(2)
            j = i + m.end()
            body_start = j
            while j < n and not (len(quote) == 1 and src[j] == "\n") and not src.startswith(quote, j):
                j += 2 if src[j] == "\\" and "r" not in prefix else 1
            if j >= n or not src.startswith(quote, j):
                i = bad(start, j + 1)
                continue
            body = src[body_start:j]
            try:
                value = _unescape(body, "r" in prefix, "b" in prefix)
            except ValueError as e:
                i = bad(start, body_start + e.args[0])
                continue
            i = j + len(quote)
            toks.append(Tok("bytes" if "b" in prefix else "string", value, start, src[start:i]))
            continue
        m2 = _NUM.match(src, i)
        if m2 and (c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit())):
            text = m2.group(0)
            low = text.lower()
            if low.endswith("u") and not low.startswith("0x") and ("." in low or "e" in low):
                text, low = text[:-1], low[:-1]           # 1.5u: a double, then an identifier
            i = start + len(text)
            if low.startswith("0x"):
                if low.endswith("u"):
                    toks.append(Tok("uint", int(low[2:-1], 16), start, text))
                else:
                    toks.append(Tok("int", int(low[2:], 16), start, text))
            elif low.endswith("u"):
                toks.append(Tok("uint", int(low[:-1]), start, text))
            elif "." in low or "e" in low:
                toks.append(Tok("double", float(low), start, text))
            else:
                toks.append(Tok("int", int(low), start, text))
            continue
        if ident:
            i = ident.end()
            toks.append(Tok("ident", ident.group(0), start, ident.group(0)))
            continue
        for p in _PUNCT:
            if src.startswith(p, i):
                toks.append(Tok("op", p, start, p))
                i += len(p)
                break
        else:
            # a lone | or & was the start of || or &&: the lexer gives up on the next character
            i = bad(i, i + 2 if c in "|&" else i + 1)
    toks.append(Tok("eof", None, n, "<EOF>"))
    return toks


# ---- parser --------------------------------------------------------------------------------------
# AST nodes are tuples (kind, pos, ...): lit(value) id(name) sel(operand, field, optional)
# has(operand, field) idx(operand, index, optional) call(name, target, args) list(elems)
# map(entries) cond(c, t, f) and(l, r) or(l, r) comp(macro, target, var, args)

_EXPECT_EXPR = ("{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, "
                "STRING, BYTES, IDENTIFIER}")
_RELOPS = {"<": "_<_", "<=": "_<=_", ">": "_>_", ">=": "_>=_", "==": "_==_", "!=": "_!=_"}
_MACROS = {"all": 2, "exists": 2, "exists_one": 2, "filter": 2, "map": (2, 3)}


class _Parser:
    def __init__(self, src: str):
        self.src = src
        self.lex_issues: list[tuple[int, str]] = []
        self.toks = tokenize(src, self.lex_issues)
        self.i = 0

    def peek(self) -> Tok:
        return self.toks[self.i]

    def next(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def at(self, op: str) -> bool:
        t = self.peek()
        return (t.kind == "op" or t.kind == "ident") and t.value == op

    def fail(self, tok: Tok, msg: str):
        raise CelCompileError(self.src, self.lex_issues + [(tok.pos, msg)])

    def expect(self, op: str) -> Tok:
        t = self.peek()
        if not self.at(op):
            if t.kind == "eof":
                self.fail(t, f"Syntax error: missing '{op}' at '<EOF>'")
            self.fail(t, f"Syntax error: mismatched input '{t.text}' expecting '{op}'")
        return self.next()

    def parse(self):
        e = self.expr()
        t = self.peek()
        if t.kind != "eof":
            # ANTLR's wording: a single stray token is "extraneous", anything longer "mismatched"
            word = "extraneous" if self.toks[self.i + 1].kind == "eof" else "mismatched"
            self.fail(t, f"Syntax error: {word} input '{t.text}' expecting <EOF>")
        return e

    def _starts_expr(self, t: Tok) -> bool:
        if t.kind in ("int", "uint", "double", "string", "bytes"):
            return True
        if t.kind == "ident":
            return t.value not in _RESERVED and t.value != "in"
        return t.kind == "op" and t.value in ("[", "{", "(", ".", "-", "!")

    def expr(self):
        c = self.or_()
        if self.at("?"):
            pos = self.next().pos
            t = self.or_()
            self.expect(":")
            f = self.expr()
            return ("cond", pos, c, t, f)
        return c

    def or_(self):
        left = self.and_()
        while self.at("||"):
            pos = self.next().pos
            left = ("or", pos, left, self.and_())
        return left

    def and_(self):
        left = self.rel()
        while self.at("&&"):
            pos = self.next().pos
            left = ("and", pos, left, self.rel())
        return left

    def rel(self):
        left = self.add()
        while True:
            t = self.peek()
            if t.kind == "op" and t.value in _RELOPS:
                self.next()
                left = ("call", t.pos, _RELOPS[t.value], None, [left, self.add()])
            elif t.kind == "ident" and t.value == "in":
                self.next()
                left = ("call", t.pos, "@in", None, [left, self.add()])
            else:
                return left

    def add(self):
        left = self.mul()
        while self.peek().kind == "op" and self.peek().value in ("+", "-"):
            t = self.next()
            left = ("call", t.pos, f"_{t.value}_", None, [left, self.mul()])
        return left

    def mul(self):
        left = self.unary()
        while self.peek().kind == "op" and self.peek().value in ("*", "/", "%"):
            t = self.next()
            left = ("call", t.pos, f"_{t.value}_", None, [left, self.unary()])
        return left

    def unary(self):
        t = self.peek()
        if t.kind == "op" and t.value == "!":
            self.next()
            return ("call", t.pos, "!_", None, [self.unary()])
        if t.kind == "op" and t.value == "-":
            self.next()
            nt = self.peek()
            if nt.kind in ("int", "double") and not self._member_follows(1):
                self.next()
                v = -nt.value
                if nt.kind == "int" and v < INT_MIN:
                    self.fail(nt, "invalid int literal")
                return self.member(("lit", t.pos, v))
            return ("call", t.pos, "-_", None, [self.unary()])
        return self.member(self.primary())

    def _member_follows(self, ahead: int) -> bool:
        t = self.toks[self.i + ahead]
        return t.kind == "op" and t.value in (".", "[")

    def args(self, close: str) -> list:
        out: list = []
        if self.at(close):
            self.next()
            return out
        while True:
            out.append(self.expr())
            if self.at(","):
                self.next()
                if self.at(close):          # a trailing comma
                    self.next()
                    return out
                continue
            self.expect(close)
            return out

    def primary(self):
        t = self.next()
        if t.kind in ("int", "uint", "double", "string", "bytes"):
            if t.kind == "int" and t.value > INT_MAX:
                self.fail(t, "invalid int literal")
            if t.kind == "uint" and t.value > UINT_MAX:
                self.fail(t, "invalid uint literal")
            return ("lit", t.pos, UInt(t.value) if t.kind == "uint" else t.value)
        if t.kind == "ident":
            name = str(t.value)
            if name in ("true", "false"):
                return ("lit", t.pos, name == "true")
            if name == "null":
                return ("lit", t.pos, None)
            if name in _RESERVED or name == "in":
                self.fail(t, f"Syntax error: mismatched input '{name}' expecting {_EXPECT_EXPR}")
            if self.at("("):
                open_tok = self.next()          # cel-go places a call at its '('
                args = self.args(")")
                return self.macro_or_call(open_tok, name, None, args)
            return ("id", t.pos, name)
        if t.kind == "op" and t.value == "(":
            e = self.expr()
            self.expect(")")
            return e
        if t.kind == "op" and t.value == "[":
            return ("list", t.pos, self.args("]"))
        if t.kind == "op" and t.value == "{":
            entries = []
            if not self.at("}"):
                while True:
                    k = self.expr()
                    self.expect(":")
                    entries.append((k, self.expr()))
                    if self.at(","):
                        self.next()
                        if self.at("}"):
                            break
                        continue
                    break
            self.expect("}")
            return ("map", t.pos, entries)
        if t.kind == "op" and t.value == "." and self.peek().kind == "ident":
            return self.primary()           # a leading dot: the root container
        if t.kind == "eof":
            self.fail(t, f"Syntax error: mismatched input '<EOF>' expecting {_EXPECT_EXPR}")
        # a stray token before a good expression start is "extraneous" (ANTLR deletes it)
        word = "extraneous" if self._starts_expr(self.peek()) else "mismatched"
        self.fail(t, f"Syntax error: {word} input '{t.text}' expecting {_EXPECT_EXPR}")

    def member(self, e):
        while True:
            t = self.peek()
            if t.kind == "op" and t.value == ".":
                dot = self.next()
                optional = False
                if self.at("?"):
                    self.next()
                    optional = True
                nt = self.next()
                if nt.kind != "ident":
                    self.fail(nt, f"Syntax error: mismatched input '{nt.text}' expecting IDENTIFIER")
                if not optional and self.at("("):
                    open_tok = self.next()
                    args = self.args(")")
                    e = self.macro_or_call(open_tok, str(nt.value), e, args)
                else:
                    e = ("sel", dot.pos, e, str(nt.value), optional)
            elif t.kind == "op" and t.value == "[":
                self.next()
                optional = False
                if self.at("?"):
                    self.next()
                    optional = True
                idx = self.expr()
                self.expect("]")
                e = ("idx", t.pos, e, idx, optional)
            else:
                return e

    def macro_or_call(self, t: Tok, name: str, target, args):
        pos = t.pos
        if target is None and name == "has" and len(args) == 1:
            a = args[0]
            if a[0] != "sel" or a[4]:
                self.fail(t, "invalid argument to has() macro")
            return ("has", a[1], a[2], a[3])
        if target is not None and name in _MACROS:
            want = _MACROS[name]
            if len(args) in (want if isinstance(want, tuple) else (want,)):
                var = args[0]
                if var[0] != "id":
                    self.fail(t, "argument must be a simple name")
                return ("comp", pos, name, target, var[2], args[1:])
        return ("call", pos, name, target, args)


def parse(src: str):
    parser = _Parser(src)
    ast = parser.parse()
    if parser.lex_issues:
        raise CelCompileError(src, parser.lex_issues)
    return ast


# ---- types (for the checker) ---------------------------------------------------------------------
# 'int' 'uint' 'double' 'string' 'bool' 'bytes' 'null_type' 'dyn' 'duration' 'timestamp' 'type'
# ('list', T) ('map', K, V) ('obj', name, {field: T}) ('opt', T)

def type_str(t) -> str:
    if isinstance(t, str):
        return {"duration": "google.protobuf.Duration", "timestamp": "google.protobuf.Timestamp"}.get(t, t)
    if t[0] == "list":
        return f"list({type_str(t[1])})"
    if t[0] == "map":
        return f"map({type_str(t[1])}, {type_str(t[2])})"
    if t[0] == "opt":
        return f"optional_type({type_str(t[1])})"
    return t[1]


_NUMERIC = ("int", "uint", "double")
_TYPE_NAMES = {"int", "uint", "double", "string", "bool", "bytes", "list", "map", "null_type", "type", "dyn"}
# the functions the environment declares, global and receiver style
_GLOBAL_FNS = {"size", "int", "uint", "double", "string", "bool", "bytes", "dyn", "type", "duration",
               "timestamp", "matches", "quantity", "isQuantity", "url", "isURL", "ip", "isIP", "cidr", "isCIDR"}
_MEMBER_FNS = {"size", "contains", "startsWith", "endsWith", "matches", "lowerAscii", "upperAscii", "trim",
               "split", "indexOf", "lastIndexOf", "substring", "replace", "join", "charAt", "isSorted", "sum",
               "min", "max", "hasValue", "value", "orValue", "or", "find", "findAll", "format",
               "getFullYear", "getMonth", "getDayOfMonth", "getDate", "getDayOfWeek", "getDayOfYear",
               "getHours", "getMinutes", "getSeconds", "getMilliseconds",
               # Kubernetes' quantity library
               "sign", "isGreaterThan", "isLessThan", "compareTo", "asApproximateFloat", "asInteger", "isInteger",
               "add", "sub",
               # Kubernetes' URL library
               "getScheme", "getHost", "getHostname", "getPort", "getEscapedPath", "getQuery",
               # Kubernetes' IP and CIDR libraries
               "family", "isUnspecified", "isLoopback", "isLinkLocalMulticast", "isLinkLocalUnicast",
               "isGlobalUnicast", "containsIP", "containsCIDR", "ip", "prefixLength", "masked"}
_IP_RESULTS = {"family": "int", "isUnspecified": "bool", "isLoopback": "bool", "isLinkLocalMulticast": "bool",
               "isLinkLocalUnicast": "bool", "isGlobalUnicast": "bool"}
_CIDR_RESULTS = {"containsIP": "bool", "containsCIDR": "bool", "ip": "net.IP", "prefixLength": "int",
                 "masked": "net.CIDR"}
_URL_RESULTS = {"getScheme": "string", "getHost": "string", "getHostname": "string", "getPort": "string",
                "getEscapedPath": "string", "getQuery": ("map", "string", ("list", "string"))}
_QUANTITY_RESULTS = {"sign": "int", "isGreaterThan": "bool", "isLessThan": "bool", "compareTo": "int",
                     "asApproximateFloat": "double", "asInteger": "int", "isInteger": "bool",
                     "add": "kubernetes.Quantity", "sub": "kubernetes.Quantity"}


def unescape_field(name: str) -> str:
    """Kubernetes' property-name escaping, reversed: `__dash__` is `-`, `__dot__` `.`, ..."""
    if name.startswith("__") and name.endswith("__") and name[2:-2] in _RESERVED | {"true", "false", "null", "in"}:
        return name[2:-2]
    return (name.replace("__underscores__", "\0").replace("__dot__", ".").replace("__dash__", "-")
            .replace("__slash__", "/").replace("\0", "__"))


class _Checker:
    def __init__(self, src: str, variables: dict):
        self.src = src
        self.vars = variables
        self.issues: list[tuple[int, str]] = []
        self.uses: set[str] = set()

    def err(self, pos: int, msg: str):
        self.issues.append((pos, msg))
        return "dyn"

    def no_overload(self, pos: int, fn: str, args: list, target=None):
        shown = ", ".join(type_str(a) for a in args)
        if target is not None:
            return self.err(pos, f"found no matching overload for '{fn}' applied to '{type_str(target)}.({shown})'")
        return self.err(pos, f"found no matching overload for '{fn}' applied to '({shown})'")

    def check(self, node, scope: dict):
        kind, pos = node[0], node[1]
        if kind == "lit":
            return _type_of_literal(node[2])
        if kind == "id":
            name = node[2]
            if name in scope:
                return scope[name]
            if name in self.vars:
                self.uses.add(name)
                return self.vars[name]
            if name in _TYPE_NAMES:
                return "type"
            return self.err(pos, f"undeclared reference to '{name}' (in container '')")
        if kind in ("sel", "has"):
            operand = node[2]
            if operand[0] == "id" and operand[2] == "optional" and "optional" not in scope:
                return self.err(pos, f"undeclared reference to 'optional.{node[3]}' (in container '')")
            t = self.check(operand, scope)
            optional = kind == "sel" and node[4]
            if isinstance(t, tuple) and t[0] == "opt":
                t, optional = t[1], True
            ft = self.field_type(pos, t, node[3])
            if kind == "has":
                return "bool"
            return ("opt", ft) if optional else ft
        if kind == "idx":
            t = self.check(node[2], scope)
            it = self.check(node[3], scope)
            optional = node[4]
            if isinstance(t, tuple) and t[0] == "opt":
                t, optional = t[1], True
            if isinstance(t, tuple) and t[0] == "list":
                out = t[1] if it in ("int", "uint", "dyn") else self.no_overload(pos, "_[_]", [t, it])
            elif isinstance(t, tuple) and t[0] == "map":
                out = t[2] if it in (t[1], "dyn") or t[1] == "dyn" else self.no_overload(pos, "_[_]", [t, it])
            elif t == "dyn":
                out = "dyn"
            else:
                out = self.no_overload(pos, "_[_]", [t, it])
            return ("opt", out) if optional else out
        if kind == "list":
            return ("list", self.homogeneous([(e, self.check(e, scope)) for e in node[2]]))
        if kind == "map":
            keys = self.homogeneous([(k, self.check(k, scope)) for k, _ in node[2]])
            vals = self.homogeneous([(v, self.check(v, scope)) for _, v in node[2]])
            return ("map", keys, vals)
        if kind == "cond":
            c = self.check(node[2], scope)
            a, b = self.check(node[3], scope), self.check(node[4], scope)
            if c not in ("bool", "dyn") or not _assignable(a, b):
                return self.no_overload(pos, "_?_:_", [c, a, b])
            return _join_types([a, b])
        if kind in ("and", "or"):
            lt, rt = self.check(node[2], scope), self.check(node[3], scope)
            for t in (lt, rt):
                if t not in ("bool", "dyn"):
                    return self.no_overload(pos, "_&&_" if kind == "and" else "_||_", [lt, rt])
            return "bool"
        if kind == "comp":
            _, _, macro, target, var, args = node
            tt = self.check(target, scope)
            if isinstance(tt, tuple) and tt[0] == "list":
                et = tt[1]
            elif isinstance(tt, tuple) and tt[0] == "map":
                et = tt[1]
            elif tt == "dyn":
                et = "dyn"
            else:
                self.err(target[1], f"expression of type '{type_str(tt)}' cannot be range of a comprehension "
                                    "(must be list, map, or dynamic)")
                et = "dyn"
            inner = dict(scope, **{var: et})
            types = [self.check(a, inner) for a in args]
            if macro in ("all", "exists", "exists_one"):
                if types[0] not in ("bool", "dyn"):
                    self.no_overload(args[0][1], "_&&_" if macro == "all" else "_||_", ["bool", types[0]])
                return "bool"
            if macro == "filter":
                return ("list", et)
            return ("list", types[-1])
        if kind == "call":
            return self.check_call(node, scope)
        return "dyn"

    def homogeneous(self, typed: list):
        """Kubernetes compiles with HomogeneousAggregateLiterals: a literal's elements share a type."""
        if not typed:
            return "dyn"
        first = typed[0][1]
        for node, t in typed[1:]:
            if not _assignable(first, t):
                self.err(node[1], f"expected type '{type_str(first)}' but found '{type_str(t)}'")
                return "dyn"
        return _join_types([t for _, t in typed])

    def field_type(self, pos: int, t, name: str):
        if t == "dyn":
            return "dyn"
        if isinstance(t, tuple) and t[0] == "obj":
            fields = t[2]
            if name in fields:
                return fields[name]
            return self.err(pos, f"undefined field '{name}'")
        if isinstance(t, tuple) and t[0] == "map":
            return t[2]
        return self.err(pos, f"type '{type_str(t)}' does not support field selection")

    def check_call(self, node, scope: dict):
        _, pos, fn, target, args = node
        if target is not None and target[0] == "id" and target[2] in ("optional", "math", "sets", "strings", "ip") \
                and target[2] not in scope and target[2] not in self.vars:
            qualified = f"{target[2]}.{fn}"
            arg_types = [self.check(a, scope) for a in args]
            if qualified == "optional.of":
                return ("opt", arg_types[0] if arg_types else "dyn")
            if qualified == "optional.none":
                return ("opt", "dyn")
            if qualified == "optional.ofNonZeroValue":
                return ("opt", arg_types[0] if arg_types else "dyn")
            if qualified == "ip.isCanonical":
                return "bool" if arg_types in (["string"], ["dyn"]) else self.no_overload(pos, qualified, arg_types)
            if qualified in ("sets.contains", "sets.equivalent", "sets.intersects"):
                lists = len(arg_types) == 2 and all(t == "dyn" or (isinstance(t, tuple) and t[0] == "list")
                                                    for t in arg_types)
                return "bool" if lists else self.no_overload(pos, qualified, arg_types)
            return self.err(pos, f"undeclared reference to '{qualified}' (in container '')")
        tt = self.check(target, scope) if target is not None else None
        ats = [self.check(a, scope) for a in args]
        if fn.startswith("_") or fn in ("!_", "-_", "@in"):
            return self.check_operator(pos, fn, ats)
        if target is None and fn not in _GLOBAL_FNS:
            return self.err(pos, f"undeclared reference to '{fn}' (in container '')")
        if target is not None and fn not in _MEMBER_FNS:
            return self.err(pos, f"undeclared reference to '{fn}' (in container '')")
        return _result_type(fn, tt, ats, lambda: self.no_overload(pos, fn, ats, tt))

    def check_operator(self, pos: int, fn: str, ats: list):
        shown = {"@in": "@in"}.get(fn, fn)
        if fn == "!_":
            return "bool" if ats[0] in ("bool", "dyn") else self.no_overload(pos, shown, ats)
        if fn == "-_":
            return ats[0] if ats[0] in ("int", "double", "dyn", "duration") else self.no_overload(pos, shown, ats)
        a, b = ats
        if "dyn" in (a, b):
            return "bool" if fn in ("_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_", "@in") else \
                (b if a == "dyn" else a)
        if fn in ("_==_", "_!=_"):
            return "bool" if _assignable(a, b) else self.no_overload(pos, shown, ats)
        if fn in ("_<_", "_<=_", "_>_", "_>=_"):
            ok = (a in _NUMERIC and b in _NUMERIC) or (a == b and a in ("string", "bool", "bytes", "duration",
                                                                          "timestamp"))
            return "bool" if ok else self.no_overload(pos, shown, ats)
        if fn == "@in":
            if isinstance(b, tuple) and b[0] == "list" and _assignable(a, b[1]):
                return "bool"
            if isinstance(b, tuple) and b[0] == "map" and _assignable(a, b[1]):
                return "bool"
            return self.no_overload(pos, shown, ats)
        if fn == "_+_":
            if a == b and a in ("int", "uint", "double", "string", "bytes", "duration"):
                return a
            if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "list":
                return ("list", _join_types([a[1], b[1]]))
            if {a, b} == {"timestamp", "duration"}:
                return "timestamp"
            return self.no_overload(pos, shown, ats)
        if fn == "_-_":
            if a == b and a in ("int", "uint", "double", "duration"):
                return a
            if a == "timestamp" and b in ("timestamp", "duration"):
                return "duration" if b == "timestamp" else "timestamp"
            return self.no_overload(pos, shown, ats)
        if fn in ("_*_", "_/_"):
            return a if a == b and a in _NUMERIC else self.no_overload(pos, shown, ats)
        if fn == "_%_":
            return a if a == b and a in ("int", "uint") else self.no_overload(pos, shown, ats)
        return "dyn"


def _type_of_literal(v):
    return type_name(v)        # a literal is a scalar or null: its runtime type name


def _assignable(a, b) -> bool:
    if a == "dyn" or b == "dyn" or a == b:
        return True
    if a == "null_type" or b == "null_type":
        other = b if a == "null_type" else a
        return other in ("duration", "timestamp") or (isinstance(other, tuple) and other[0] in ("obj", "opt"))
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0]:
        if a[0] == "obj":
            return a[1] == b[1]
        return all(_assignable(x, y) for x, y in zip(a[1:], b[1:], strict=False))
    return False


def _join_types(ts: list):
    if not ts:
        return "dyn"
    first = ts[0]
    return first if all(t == first for t in ts) else "dyn"


def _result_type(fn: str, target, args: list, bad):
    t = target
    if fn == "quantity":
        return "kubernetes.Quantity" if args == ["string"] or args == ["dyn"] else bad()
    if fn == "isQuantity" or fn == "isURL":
        return "bool" if args == ["string"] or args == ["dyn"] else bad()
    if fn == "url":
        return "kubernetes.URL" if args == ["string"] or args == ["dyn"] else bad()
    if target is None and fn in ("ip", "cidr", "isIP", "isCIDR"):
        if args not in (["string"], ["dyn"]):
            return bad()
        return {"ip": "net.IP", "cidr": "net.CIDR"}.get(fn, "bool")
    if fn in _IP_RESULTS and t in ("net.IP", "dyn"):
        return _IP_RESULTS[fn]
    if fn in _CIDR_RESULTS and t in ("net.CIDR", "dyn"):
        if fn == "containsIP" and args not in (["string"], ["net.IP"], ["dyn"]):
            return bad()
        if fn == "containsCIDR" and args not in (["string"], ["net.CIDR"], ["dyn"]):
            return bad()
        return _CIDR_RESULTS[fn]
    if fn in _URL_RESULTS and t in ("kubernetes.URL", "dyn"):
        return _URL_RESULTS[fn]
    if fn in _QUANTITY_RESULTS:
        if t in ("kubernetes.Quantity", "dyn"):
            return _QUANTITY_RESULTS[fn]
        return bad()
    if fn == "size":
        subj = t if t is not None else (args[0] if args else None)
        if subj in ("string", "bytes", "dyn") or (isinstance(subj, tuple) and subj[0] in ("list", "map")):
            return "int"
        return bad()
    if fn in ("contains", "startsWith", "endsWith", "matches"):
        subj = t if t is not None else (args[0] if args else None)
        rest = args if t is not None else args[1:]
        if subj in ("string", "dyn") and all(a in ("string", "dyn") for a in rest) and len(rest) == 1:
            return "bool"
        return bad()
    if fn == "format":
        ok = t in ("string", "dyn") and len(args) == 1 and (args[0] == "dyn" or
                                                            (isinstance(args[0], tuple) and args[0][0] == "list"))
        return "string" if ok else bad()
    if fn in ("lowerAscii", "upperAscii", "trim", "substring", "replace", "charAt"):
        return "string" if t in ("string", "dyn") else bad()
    if fn == "split":
        return ("list", "string") if t in ("string", "dyn") else bad()
    if fn in ("indexOf", "lastIndexOf"):
        return "int"
    if fn == "join":
        return "string" if t in (("list", "string"), "dyn") else bad()
    if fn == "isSorted":
        return "bool" if isinstance(t, tuple) and t[0] == "list" or t == "dyn" else bad()
    if fn in ("sum", "min", "max"):
        return t[1] if isinstance(t, tuple) and t[0] == "list" else ("dyn" if t == "dyn" else bad())
    if fn in ("int", "uint", "double", "string", "bool", "bytes", "duration", "timestamp"):
        return fn
    if fn == "dyn":
        return "dyn"
    if fn == "type":
        return "type"
    if fn == "hasValue":
        return "bool"
    if fn == "value":
        return t[1] if isinstance(t, tuple) and t[0] == "opt" else "dyn"
    if fn in ("orValue",):
        return t[1] if isinstance(t, tuple) and t[0] == "opt" else "dyn"
    if fn == "or":
        return t
    if fn == "find":
        return "string"
    if fn == "findAll":
        return ("list", "string")
    if fn.startswith("get"):
        return "int"
    return "dyn"


@dataclass
class Program:
    source: str
    ast: tuple
    result: object            # the checked result type
    uses: frozenset           # the variables the expression refers to (oldSelf makes a transition rule)

    def eval(self, activation: dict):
        try:
            return _eval(self.ast, activation)
        except (RecursionError, OverflowError, ValueError, OSError) as e:
            # Python's limits (a timestamp beyond datetime's years, a very deep value) are
            # evaluation errors of the rule, never a server error
            raise CelError(str(e) or type(e).__name__) from None


def compile_expr(src: str, variables: dict) -> Program:
    """Parse and check `src` with `variables` ({name: type}); raise CelCompileError."""
    try:
        ast = parse(src)
        checker = _Checker(src, variables)
        result = checker.check(ast, {})
    except RecursionError:
        raise CelCompileError(src, [(0, "Syntax error: max recursion depth exceeded")]) from None
    if checker.issues:
        raise CelCompileError(src, checker.issues)
    return Program(src, ast, result, frozenset(checker.uses))


# ---- evaluation ----------------------------------------------------------------------------------

def type_name(v) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, UInt):
        return "uint"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "double"
    if isinstance(v, str):
        return "string"
    if isinstance(v, bytes):
        return "bytes"
    if v is None:
        return "null_type"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, Duration):
        return "google.protobuf.Duration"
    if isinstance(v, Timestamp):
        return "google.protobuf.Timestamp"
    if isinstance(v, Optional):
        return "optional_type"
    if isinstance(v, Quantity):
        return "kubernetes.Quantity"
    if isinstance(v, URL):
        return "kubernetes.URL"
    if isinstance(v, IP):
        return "net.IP"
    if isinstance(v, CIDR):
        return "net.CIDR"
    if isinstance(v, CelType):
        return "type"
    return "dyn"


@dataclass(frozen=True)
class CelType:
    name: str


def _no_overload():
    return CelError("no such overload")


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def equals(a, b) -> bool:
    """CEL's heterogeneous equality: numbers compare by value across int, uint and double; values
    of different types are unequal; lists and maps element by element."""
    if _is_num(a) and _is_num(b):
        if isinstance(a, float) or isinstance(b, float):
            return float(a) == float(b)
        return int(a) == int(b)
    if type_name(a) != type_name(b):
        return False
    if isinstance(a, list):
        if len(a) != len(b):
            return False
        if isinstance(a, MapList) or isinstance(b, MapList):
            keyed = a if isinstance(a, MapList) else b
            other = b if keyed is a else a
            by_key = {keyed.key_of(x): x for x in keyed}
            return all(keyed.key_of(y) in by_key and equals(by_key[keyed.key_of(y)], y) for y in other)
        if isinstance(a, SetList) or isinstance(b, SetList):
            return all(any(equals(x, y) for y in b) for x in a) and all(any(equals(x, y) for x in a) for y in b)
        return all(equals(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        if len(a) != len(b):
            return False
        for k, v in a.items():
            if k not in b or not equals(v, b[k]):
                return False
        return True
    return a == b


def _compare(a, b) -> int:
    if _is_num(a) and _is_num(b):
        x, y = a, b
        if isinstance(a, float) or isinstance(b, float):
            if math.isnan(float(a)) or math.isnan(float(b)):
                return 2                  # unordered: every comparison is false
        return (x > y) - (x < y)
    if type_name(a) != type_name(b) or not isinstance(a, (str, bytes, bool, Duration, Timestamp)):
        raise _no_overload()
    if isinstance(a, (Duration, Timestamp)):
        return (a.nanos > b.nanos) - (a.nanos < b.nanos)
    if isinstance(a, str):
        a, b = a.encode(), b.encode()
    return (a > b) - (a < b)


def _int(v: int) -> int:
    if v < INT_MIN or v > INT_MAX:
        raise CelError("integer overflow")
    return v


def _uint(v: int) -> UInt:
    if v < 0 or v > UINT_MAX:
        raise CelError("unsigned integer overflow")
    return UInt(v)


def _div_trunc(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _arith(op: str, a, b):
    ta, tb = type_name(a), type_name(b)
    if ta != tb:
        if op in ("_+_", "_-_") and isinstance(a, Timestamp) and isinstance(b, Duration):
            return timestamp_checked(a.nanos + b.nanos if op == "_+_" else a.nanos - b.nanos)
        if op == "_+_" and isinstance(a, Duration) and isinstance(b, Timestamp):
            return timestamp_checked(a.nanos + b.nanos)
        raise _no_overload()
    if ta == "int" or ta == "uint":
        wrap = _int if ta == "int" else _uint
        if op == "_+_":
            return wrap(a + b)
        if op == "_-_":
            return wrap(a - b)
        if op == "_*_":
            return wrap(a * b)
        if op == "_/_":
            if b == 0:
                raise CelError("division by zero")
            return wrap(_div_trunc(a, b))
        if op == "_%_":
            if b == 0:
                raise CelError("modulus by zero")
            return wrap(a - _div_trunc(a, b) * b)
    if ta == "double":
        if op == "_+_":
            return a + b
        if op == "_-_":
            return a - b
        if op == "_*_":
            return a * b
        if op == "_/_":
            if b == 0:
                return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
            return a / b
        raise _no_overload()
    if op == "_+_" and ta in ("string", "bytes", "list"):
        return a + b
    if isinstance(a, Duration) and op in ("_+_", "_-_"):
        return Duration(a.nanos + b.nanos if op == "_+_" else a.nanos - b.nanos)
    if isinstance(a, Timestamp) and op == "_-_":
        return Duration(a.nanos - b.nanos)
    raise _no_overload()


def _bool(v) -> bool:
    if not isinstance(v, bool):
        raise _no_overload()
    return v


def _eval(node, act: dict):
    kind = node[0]
    if kind == "lit":
        return node[2]
    if kind == "id":
        name = node[2]
        if name in act:
            return act[name]
        if name in _TYPE_NAMES:
            return CelType(name)
        raise CelError(f"no such attribute(s): {name}")
    if kind == "sel":
        operand = node[2]
        base = _eval(operand, act)
        return _select(base, node[3], node[4])
    if kind == "has":
        base = _eval(node[2], act)
        if isinstance(base, Optional):
            if not base.present:
                return False
            base = base.value
        if isinstance(base, dict):
            return unescape_field(node[3]) in base
        raise CelError(f"invalid type for field selection: {type_name(base)}") if base is not None else \
            _no_overload()
    if kind == "idx":
        base = _eval(node[2], act)
        key = _eval(node[3], act)
        optional = node[4]
        if isinstance(base, Optional):
            if not base.present:
                return NONE
            base, optional = base.value, True
        return _index(base, key, optional)
    if kind == "list":
        return [_eval(e, act) for e in node[2]]
    if kind == "map":
        out: dict = {}
        for k, v in node[2]:
            key = _eval(k, act)
            if isinstance(key, (list, dict, float)) or key is None:
                raise CelError(f"unsupported key type: {type_name(key)}")
            if key in out:
                raise CelError(f"Failed with repeated key: {key}")
            out[key] = _eval(v, act)
        return out
    if kind == "cond":
        c = _eval(node[2], act)
        if not isinstance(c, bool):
            raise _no_overload()
        return _eval(node[3] if c else node[4], act)
    if kind in ("and", "or"):
        short = kind == "or"          # the value that decides: true for ||, false for &&
        err: CelError | None = None
        try:
            left = _eval(node[2], act)
            if not isinstance(left, bool):
                raise _no_overload()
            if left is short:
                return short
        except CelError as e:
            err = e
        right = _eval(node[3], act) if err is None else _absorb(node[3], act)
        if right is short:
            return short
        if err is not None:
            raise err
        if not isinstance(right, bool):
            raise _no_overload()
        return right
    if kind == "comp":
        return _comprehension(node, act)
    if kind == "call":
        return _call(node, act)
    raise CelError(f"unknown node {kind}")


def _absorb(node, act):
    """The right side of `&&`/`||` after an error on the left: its value if it has one."""
    try:
        return _eval(node, act)
    except CelError:
        return None


def _select(base, name: str, optional: bool):
    key = unescape_field(name)
    if isinstance(base, Optional):
        if not base.present:
            return NONE
        base, optional = base.value, True
    if isinstance(base, dict):
        if key in base:
            return Optional(base[key], True) if optional else base[key]
        if optional:
            return NONE
        raise CelError(f"no such key: {key}")
    if base is None:
        raise CelError(f"no such key: {key}")
    raise _no_overload()


def _index(base, key, optional: bool):
    if isinstance(base, list):
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        if isinstance(key, bool) or not isinstance(key, int):
            raise CelError(f"unsupported index type '{type_name(key)}' in list")
        if key < 0 or key >= len(base):
            if optional:
                return NONE
            raise CelError(f"index out of bounds: {key}")
        return Optional(base[key], True) if optional else base[key]
    if isinstance(base, dict):
        for k in base:
            if equals(k, key):
                return Optional(base[k], True) if optional else base[k]
        if optional:
            return NONE
        raise CelError(f"no such key: {key}")
    raise _no_overload()


def _comprehension(node, act: dict):
    _, _, macro, target, var, args = node
    coll = _eval(target, act)
    if isinstance(coll, dict):
        items = list(coll.keys())
    elif isinstance(coll, list):
        items = coll
    else:
        raise _no_overload()
    if macro in ("all", "exists"):
        short = macro == "exists"
        err: CelError | None = None
        for item in items:
            try:
                v = _eval(args[0], dict(act, **{var: item}))
                if not isinstance(v, bool):
                    raise _no_overload()
            except CelError as e:
                err = err or e
                continue
            if v is short:
                return short
        if err is not None:
            raise err
        return not short
    if macro == "exists_one":
        count = 0
        for item in items:
            v = _eval(args[0], dict(act, **{var: item}))
            if not isinstance(v, bool):
                raise _no_overload()
            count += v
        return count == 1
    out = []
    for item in items:
        inner = dict(act, **{var: item})
        if macro == "filter":
            if _bool(_eval(args[0], inner)):
                out.append(item)
        elif len(args) == 2:
            if _bool(_eval(args[0], inner)):
                out.append(_eval(args[1], inner))
        else:
            out.append(_eval(args[0], inner))
    return out


def _call(node, act: dict):
    _, _, fn, target, args = node
    if target is not None and target[0] == "id" and target[2] == "optional" and "optional" not in act:
        vals = [_eval(a, act) for a in args]
        if fn == "of":
            return Optional(vals[0], True)
        if fn == "none":
            return NONE
        if fn == "ofNonZeroValue":
            v = vals[0]
            return Optional(v, True) if v not in (None, 0, "", b"", False, [], {}) else NONE
        raise _no_overload()
    if target is not None and target[0] == "id" and target[2] == "ip" and "ip" not in act and fn == "isCanonical":
        return cel_functions.call("ip.isCanonical", False, None, [_eval(a, act) for a in args])
    if target is not None and target[0] == "id" and target[2] == "sets" and "sets" not in act:
        a, b = (_eval(x, act) for x in args)
        if not isinstance(a, list) or not isinstance(b, list):
            raise _no_overload()
        if fn == "contains":          # every element of b is in a
            return all(any(equals(x, y) for y in a) for x in b)
        if fn == "equivalent":
            return all(any(equals(x, y) for y in b) for x in a) and all(any(equals(x, y) for y in a) for x in b)
        if fn == "intersects":
            return any(any(equals(x, y) for y in b) for x in a)
        raise _no_overload()
    if fn == "@in":
        item, coll = _eval(args[0], act), _eval(args[1], act)
        if isinstance(coll, list):
            return any(equals(item, x) for x in coll)
        if isinstance(coll, dict):
            return any(equals(item, k) for k in coll)
        raise _no_overload()
    if fn == "!_":
        return not _bool(_eval(args[0], act))
    if fn == "-_":
        v = _eval(args[0], act)
        if isinstance(v, bool) or isinstance(v, UInt):
            raise _no_overload()
        if isinstance(v, int):
            return _int(-v)
        if isinstance(v, float):
            return -v
        if isinstance(v, Duration):
            return Duration(-v.nanos)
        raise _no_overload()
    if fn in ("_==_", "_!=_"):
        same = equals(_eval(args[0], act), _eval(args[1], act))
        return same if fn == "_==_" else not same
    if fn in ("_<_", "_<=_", "_>_", "_>=_"):
        c = _compare(_eval(args[0], act), _eval(args[1], act))
        if c == 2:
            return False
        return {"_<_": c < 0, "_<=_": c <= 0, "_>_": c > 0, "_>=_": c >= 0}[fn]
    if fn in ("_+_", "_-_", "_*_", "_/_", "_%_"):
        return _arith(fn, _eval(args[0], act), _eval(args[1], act))
    recv = _eval(target, act) if target is not None else None
    vals = [_eval(a, act) for a in args]
    return cel_functions.call(fn, target is not None, recv, vals)


def parse_timestamp(text: str) -> Timestamp:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?", text)
    if not m:
        raise CelError(f'timestamp: parsing time "{text}" as "2006-01-02T15:04:05Z07:00": cannot parse')
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        dt = datetime.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                               tzinfo=datetime.timezone.utc)
    except ValueError as e:
        raise CelError(f'timestamp: parsing time "{text}": {e}') from None
    offset = 0
    if zone and zone not in "Zz":
        sign = 1 if zone[0] == "+" else -1
        offset = sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    nanos = (int(dt.timestamp()) - offset) * 10**9
    if frac:
        nanos += int((frac[1:] + "000000000")[:9])
    return Timestamp(nanos)


_DUR_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
              "h": 3600 * 10**9}


def parse_duration(text: str) -> Duration:
    """Go's time.ParseDuration ("1h30m", "1.5s", "-300ms")."""
    s = text
    sign = 1
    if s[:1] in "+-" and s:
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if s == "0":
        return Duration(0)
    if not s:
        raise CelError(f'time: invalid duration "{text}"')
    total = 0
    for m in re.finditer(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)|(.)", s):
        if m.group(3) is not None:
            raise CelError(f'time: invalid duration "{text}"')
        num, unit = m.group(1), m.group(2)
        whole, _, frac = num.partition(".")
        total += int(whole or 0) * _DUR_UNITS[unit]
        if frac:
            total += int(frac) * _DUR_UNITS[unit] // 10 ** len(frac)
    return Duration(sign * total)


def format_double(d: float) -> str:
    """Go's strconv.FormatFloat(d, 'g', -1, 64), as CEL's string(double) prints."""
    if math.isnan(d):
        return "NaN"
    if math.isinf(d):
        return "+Inf" if d > 0 else "-Inf"
    if d == 0:
        return "-0" if math.copysign(1, d) < 0 else "0"
    r = repr(d)
    mant, _, exp_s = r.partition("e")
    sign = "-" if mant.startswith("-") else ""
    mant = mant.lstrip("-")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    point = len(whole) + (int(exp_s) if exp_s else 0)   # position of the decimal point in whole+frac
    lead = len(whole + frac) - len((whole + frac).lstrip("0"))
    point -= lead
    digits = digits.rstrip("0") or "0"
    exp = point - 1
    if exp < -4 or exp >= 6:      # fmt's %g: the shortest digits, %e from 1e+06 up
        m = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{m}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


from . import cel_functions  # noqa: E402  (the function library, kept apart for size; it imports this module's names)
