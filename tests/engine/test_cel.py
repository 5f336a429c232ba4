"""The CEL subset CRD validation rules are written in (engine/crd/cel.py, cel_functions.py):
literals, operators, CEL's runtime error semantics, the macros, the string/list/regex libraries,
conversions, durations and timestamps, optionals, and the compile-time errors as cel-go words
them. Expressions are checked with `self` of type dyn unless a case says otherwise."""
from __future__ import annotations

import math

import pytest

from engine.crd import cel
from engine.crd.cel import UInt

_ERR = object()


def _eval(src: str, self_value=None, variables=None):
    prog = cel.compile_expr(src, variables or {"self": "dyn", "oldSelf": "dyn"})
    return prog.eval({"self": self_value})


@pytest.mark.parametrize("src, want", [
    # literals
    ("42", 42), ("-42", -42), ("0x1F", 31), ("7u", UInt(7)), ("0x10u", UInt(16)), ("1.5", 1.5), ("1e3", 1000.0),
    (".5", 0.5), ("-9223372036854775808", -(1 << 63)), ("18446744073709551615u", UInt((1 << 64) - 1)),
    ("'it\\'s'", "it's"), ('"double"', "double"), ("'a\\nb\\tc'", "a\nb\tc"),
    ("'\\x41\\u00e9\\101'", "Aé" + "A"), ("r'a\\nb'", "a\\nb"), ("'''multi\nline'''", "multi\nline"),
    ("b'\\xff\\x00'", b"\xff\x00"), ("b'abc'", b"abc"), ("true", True), ("false", False), ("null", None),
    ("[1, 2, 3]", [1, 2, 3]), ("[]", []), ("{'a': [1], 'b': []}", {"a": [1], "b": []}), ("[1, 2,]", [1, 2]),
    # arithmetic: integer division truncates toward zero, % keeps the dividend's sign
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("7 / 2", 3), ("-7 / 2", -3), ("7 % -3", 1), ("-7 % 3", -1),
    ("10u - 3u", UInt(7)), ("1.5 + 2.25", 3.75), ("1.0 / 4.0", 0.25), ("'ab' + 'cd'", "abcd"),
    ("b'a' + b'b'", b"ab"), ("[1] + [2, 3]", [1, 2, 3]), ("--3", 3), ("!!true", True),
    # comparison, with numbers compared across int, uint and double
    ("1 < 2", True), ("2 <= 2", True), ("3 > 4", False), ("'abc' < 'abd'", True), ("'b' > 'abc'", True),
    ("false < true", True), ("1 < 1.5", True), ("2u > 1", True), ("1 <= 1.0", True),
    ("1 == 1", True), ("1 != 2", True), ("'a' == 'a'", True), ("[1, 2] == [1, 2]", True),
    ("{'a': 1} == {'a': 1}", True), ("null == null", True), ("dyn(1) == 1.0", True), ("dyn(1) == 1u", True),
    ("dyn(1) == '1'", False), ("dyn([1]) == [1.0]", True),
    # logic and the ternary
    ("true && false", False), ("true || false", True), ("!true", False), ("1 < 2 ? 'y' : 'n'", "y"),
    ("false ? 1 : 2", 2),
    # membership
    ("2 in [1, 2, 3]", True), ("4 in [1, 2, 3]", False), ("'a' in {'a': 1}", True), ("'b' in {'a': 1}", False),
    ("dyn(2.0) in [1, 2]", True),
    # selection and indexing
    ("{'a': {'b': 5}}.a.b", 5), ("[10, 20][1]", 20), ("{'k': 'v'}['k']", "v"), ("has({'a': 1}.a)", True),
    ("has({'a': 1}.b)", False),
    # macros (on lists, and on maps: over their keys)
    ("[1, 2, 3].all(x, x > 0)", True), ("[1, 2, 3].all(x, x > 1)", False), ("[1, 2, 3].exists(x, x == 2)", True),
    ("[].exists(x, x == 2)", False), ("[1, 2, 3].exists_one(x, x > 2)", True), ("[1, 2, 3].exists_one(x, x > 1)", False),
    ("[1, 2, 3].map(x, x * 10)", [10, 20, 30]), ("[1, 2, 3].map(x, x > 1, x * 10)", [20, 30]),
    ("[1, 2, 3, 4].filter(x, x % 2 == 0)", [2, 4]), ("{'a': 1, 'b': 2}.all(k, k.size() == 1)", True),
    ("{'a': 1, 'b': 2}.map(k, k)", ["a", "b"]), ("[[1, 2], [3]].all(l, l.all(x, x > 0))", True),
    # size, both forms
    ("size('héllo')", 5), ("'héllo'.size()", 5), ("size(b'ab')", 2), ("[1, 2].size()", 2), ("size({'a': 1})", 1),
    # strings
    ("'kubernetes'.startsWith('kube')", True), ("'kubernetes'.endsWith('tes')", True),
    ("'kubernetes'.contains('bern')", True), ("'v1.2.3'.matches('^v[0-9]+\\\\.[0-9]+')", True),
    ("matches('abc', 'b')", True), ("'abc'.matches('^b')", False), ("'MiXeD'.lowerAscii()", "mixed"),
    ("'MiXeD'.upperAscii()", "MIXED"), ("'  pad \\t'.trim()", "pad"), ("'a,b,,c'.split(',')", ["a", "b", "", "c"]),
    ("'a,b,c'.split(',', 2)", ["a", "b,c"]), ("'hello'.indexOf('l')", 2), ("'hello'.indexOf('l', 3)", 3),
    ("'hello'.indexOf('z')", -1), ("'hello'.lastIndexOf('l')", 3), ("'hello'.substring(1)", "ello"),
    ("'hello'.substring(1, 3)", "el"), ("'hello'.replace('l', 'L')", "heLLo"), ("'hello'.replace('l', 'L', 1)", "heLlo"),
    ("'hello'.charAt(1)", "e"), ("['a', 'b'].join()", "ab"), ("['a', 'b'].join('-')", "a-b"),
    ("'abc123def'.find('[0-9]+')", "123"), ("'a1b22c333'.findAll('[0-9]+')", ["1", "22", "333"]),
    # Kubernetes' list library
    ("[1, 2, 2, 5].isSorted()", True), ("[3, 1].isSorted()", False), ("['a', 'b'].isSorted()", True),
    ("[1, 2, 3].sum()", 6), ("[1.5, 2.5].sum()", 4.0), ("[].sum()", 0), ("[4, 2, 9].min()", 2), ("[4, 2, 9].max()", 9),
    ("[1, 2, 3, 2].indexOf(2)", 1), ("[1, 2, 3, 2].lastIndexOf(2)", 3),
    # conversions
    ("int('42')", 42), ("int(3.9)", 3), ("int(-3.9)", -3), ("int(7u)", 7), ("uint(7)", UInt(7)), ("double(3)", 3.0),
    ("double('2.5')", 2.5), ("string(12)", "12"), ("string(1.5)", "1.5"), ("string(3.0)", "3"),
    ("string(1000000.0)", "1e+06"), ("string(true)", "true"), ("string(b'hi')", "hi"), ("bool('true')", True),
    ("bytes('hi')", b"hi"), ("dyn(5)", 5), ("type(1) == int", True), ("type('a') == string", True),
    ("type([]) == list", True), ("type(1) == double", False),
    # durations and timestamps
    ("duration('1h30m') == duration('90m')", True), ("duration('1.5s') < duration('2s')", True),
    ("string(duration('1h'))", "3600s"), ("string(duration('-1.5s'))", "-1.5s"),
    ("duration('2h').getMinutes()", 120),
    ("timestamp('2024-01-01T00:00:00Z') < timestamp('2024-06-01T12:00:00+02:00')", True),
    ("timestamp('2024-01-01T00:00:00Z') + duration('36h') == timestamp('2024-01-02T12:00:00Z')", True),
    ("timestamp('2024-03-01T00:00:00Z') - timestamp('2024-02-28T00:00:00Z') == duration('48h')", True),
    ("string(timestamp('2024-01-02T03:04:05.5Z'))", "2024-01-02T03:04:05.5Z"),
    ("timestamp('2024-02-29T10:20:30Z').getFullYear()", 2024), ("timestamp('2024-02-29T10:20:30Z').getMonth()", 1),
    ("timestamp('2024-02-29T10:20:30Z').getDate()", 29), ("timestamp('2024-02-29T10:20:30Z').getDayOfWeek()", 4),
    ("timestamp('2024-02-29T10:20:30Z').getHours()", 10),
    # optionals
    ("optional.of(1).hasValue()", True), ("optional.none().hasValue()", False), ("optional.none().orValue(3)", 3),
    ("optional.of(2).value()", 2), ("{'a': 1}.?a.orValue(0)", 1), ("{'a': 1}.?b.orValue(0)", 0),
    ("{'a': {'b': 2}}.?a.b.orValue(0)", 2), ("[1][?3].orValue(9)", 9), ("optional.none().or(optional.of(4)).value()", 4),
])
def test_expressions_evaluate_as_cel_does(src, want):
    got = _eval(src)
    assert got == want and type(got) is type(want), (src, got)


@pytest.mark.parametrize("src, error", [
    ("9223372036854775807 + 1", "integer overflow"),
    ("-9223372036854775808 - 1", "integer overflow"),
    ("4611686018427387904 * 2", "integer overflow"),
    ("dyn(-9223372036854775808) / -1", "integer overflow"),
    ("0u - 1u", "unsigned integer overflow"),
    ("1 / 0", "division by zero"),
    ("1 % 0", "modulus by zero"),
    ("[1, 2][2]", "index out of bounds: 2"),
    ("{'a': 1}.b", "no such key: b"),
    ("{'a': 1}['b']", "no such key: b"),
    ("int(1e19)", "integer overflow"),
    ("int('12x')", 'strconv.ParseInt: parsing "12x": invalid syntax'),
    ("uint(-1)", "unsigned integer overflow"),
    ("'abc'.substring(4)", "index out of range: 4"),
    ("'abc'.substring(2, 1)", "invalid substring range. start: 2, end: 1"),
    ("[].min()", "min called on empty list"),
    ("optional.none().value()", "optional.none() dereference"),
    ("dyn(1) + dyn('a')", "no such overload"),
    ("dyn('a') < dyn(1)", "no such overload"),
    ("duration('forever') > duration('1s')", 'time: invalid duration "forever"'),
    ("timestamp(999999999999) > timestamp(0)", "timestamp overflow"),
    ("timestamp('9999-12-31T00:00:00Z') + duration('48h') > timestamp(0)", "timestamp overflow"),
    # an error on one side of && / || stands only if the other side does not decide
    ("1 / 0 == 1 && true", "division by zero"),
    ("false || 1 / 0 == 1", "division by zero"),
    ("[0, 1].all(x, 1 / x > 0)", "division by zero"),
])
def test_runtime_errors_are_worded_as_cel_go(src, error):
    with pytest.raises(cel.CelError) as e:
        _eval(src)
    assert str(e.value) == error


@pytest.mark.parametrize("src, want", [
    ("1 / 0 == 1 && false", False),            # false absorbs the error
    ("false && 1 / 0 == 1", False),
    ("1 / 0 == 1 || true", True),              # true absorbs the error
    ("true || 1 / 0 == 1", True),
    ("[0, 1].exists(x, 1 / x > 0)", True),      # exists: one true element absorbs another's error
    ("[0, 1].all(x, x > 0 && 1 / x > 0)", False),
    ("true ? 1 : 1 / 0", 1),                   # the branch not taken is not evaluated
])
def test_logic_absorbs_errors_as_cel_does(src, want):
    assert _eval(src) == want


def test_nan_and_infinity_follow_ieee():
    assert _eval("1.0 / 0.0") == math.inf and math.isnan(_eval("0.0 / 0.0"))
    assert _eval("0.0 / 0.0 == 0.0 / 0.0") is False and _eval("0.0 / 0.0 < 1.0") is False


def test_self_and_escaped_property_names():
    value = {"spec": {"replicas": 3, "max-surge": 1, "namespace": "n", "a.b": 2, "x__y": 4}}
    assert _eval("self.spec.replicas + self.spec.max__dash__surge", value) == 4
    assert _eval("self.spec.__namespace__ == 'n' && self.spec.a__dot__b == 2", value) is True
    assert _eval("self.spec.x__underscores__y", value) == 4
    assert _eval("has(self.spec.replicas) && !has(self.spec.paused)", value) is True
    with pytest.raises(cel.CelError, match="^no such key: paused$"):
        _eval("self.spec.paused", value)


SPEC_TYPE = ("obj", "object", {"replicas": "int", "ratio": "double", "name": "string",
                               "tags": ("list", "string"), "labels": ("map", "string", "string")})


@pytest.mark.parametrize("src, text", [
    ("self.replicas <",
     "ERROR: <input>:1:16: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', "
     "'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | self.replicas <\n | ...............^"),
    ("self.replicas > 1 self",
     "ERROR: <input>:1:19: Syntax error: extraneous input 'self' expecting <EOF>\n | self.replicas > 1 self\n"
     " | ..................^"),
    ("self.replicas > 1 self self",
     "ERROR: <input>:1:19: Syntax error: mismatched input 'self' expecting <EOF>\n | self.replicas > 1 self self\n"
     " | ..................^"),
    ("self.replicas > * 1",
     "ERROR: <input>:1:17: Syntax error: extraneous input '*' expecting {'[', '{', '(', '.', '-', '!', 'true', "
     "'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | self.replicas > * 1\n"
     " | ................^"),
    ("(self.replicas > 1", "ERROR: <input>:1:19: Syntax error: missing ')' at '<EOF>'\n | (self.replicas > 1\n"
     " | ..................^"),
    ("self.replicas # 2", "ERROR: <input>:1:15: Syntax error: token recognition error at: '#'\n | self.replicas # 2\n"
     " | ..............^\nERROR: <input>:1:17: Syntax error: extraneous input '2' expecting <EOF>\n"
     " | self.replicas # 2\n | ................^"),
    ("self.replicaz > 1", "ERROR: <input>:1:5: undefined field 'replicaz'\n | self.replicaz > 1\n | ....^"),
    ("replicas > 1", "ERROR: <input>:1:1: undeclared reference to 'replicas' (in container '')\n | replicas > 1\n | ^"),
    ("self.name.frob()", "ERROR: <input>:1:15: undeclared reference to 'frob' (in container '')\n"
     " | self.name.frob()\n | ..............^"),
    ("self.replicas == self.ratio",
     "ERROR: <input>:1:15: found no matching overload for '_==_' applied to '(int, double)'\n"
     " | self.replicas == self.ratio\n | ..............^"),
    ("self.name + 1 == 'x'", "ERROR: <input>:1:11: found no matching overload for '_+_' applied to '(string, int)'\n"
     " | self.name + 1 == 'x'\n | ..........^"),
    ("self.tags.all(t, t > 1)", "ERROR: <input>:1:20: found no matching overload for '_>_' applied to '(string, int)'\n"
     " | self.tags.all(t, t > 1)\n | ...................^"),
    ("size(self.replicas) > 0", "ERROR: <input>:1:5: found no matching overload for 'size' applied to '(int)'\n"
     " | size(self.replicas) > 0\n | ....^"),
    ("has(self)", "ERROR: <input>:1:4: invalid argument to has() macro\n | has(self)\n | ...^"),
    ("self.name in ['a', 1]", "ERROR: <input>:1:20: expected type 'string' but found 'int'\n"
     " | self.name in ['a', 1]\n | ...................^"),
    ("(self.replicas > 1 ? 1 : 'one') == 1",
     "ERROR: <input>:1:20: found no matching overload for '_?_:_' applied to '(bool, int, string)'\n"
     " | (self.replicas > 1 ? 1 : 'one') == 1\n | ...................^"),
])
def test_compile_errors_read_as_cel_gos_issues(src, text):
    with pytest.raises(cel.CelCompileError) as e:
        cel.compile_expr(src, {"self": SPEC_TYPE, "oldSelf": SPEC_TYPE})
    assert e.value.render() == text


def test_typed_self_compiles_what_the_schema_allows():
    variables = {"self": SPEC_TYPE, "oldSelf": SPEC_TYPE}
    for src in ("self.replicas < 10 && self.ratio < 1.5", "self.labels.all(k, self.labels[k].size() < 10)",
                "self.tags.exists(t, t.startsWith('x'))", "self.replicas == oldSelf.replicas",
                "'a' in self.labels", "self.replicas < self.ratio"):
        prog = cel.compile_expr(src, variables)
        assert prog.result == "bool", src
    assert cel.compile_expr("self.replicas", variables).result == "int"
    assert cel.compile_expr("self == oldSelf", variables).uses == frozenset({"self", "oldSelf"})


def test_map_and_set_lists_compare_regardless_of_order():
    a = cel.MapList([{"name": "a", "v": 1}, {"name": "b", "v": 2}], ["name"])
    b = [{"name": "b", "v": 2}, {"name": "a", "v": 1}]
    assert cel.equals(a, b) and cel.equals(b, a)
    assert not cel.equals(a, [{"name": "b", "v": 3}, {"name": "a", "v": 1}])
    assert cel.equals(cel.SetList(["x", "y"]), ["y", "x"]) and not cel.equals(cel.SetList(["x", "y"]), ["x", "z"])
    assert not cel.equals(["x", "y"], ["y", "x"])           # an atomic list keeps its order


def test_lexer_errors_are_collected_and_parsing_goes_on_as_antlrs_does():
    with pytest.raises(cel.CelCompileError) as e:
        cel.compile_expr("self == '", {"self": "dyn"})
    assert e.value.render() == (
        "ERROR: <input>:1:9: Syntax error: token recognition error at: '''\n | self == '\n | ........^\n"
        "ERROR: <input>:1:10: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', "
        "'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | self == '\n"
        " | .........^")
    with pytest.raises(cel.CelCompileError) as e:
        cel.compile_expr("1 | 2", {"self": "dyn"})
    assert [m for _, m in e.value.issues] == ["Syntax error: token recognition error at: '| '",
                                              "Syntax error: extraneous input '2' expecting <EOF>"]


@pytest.mark.parametrize("src, want", [
    ("quantity('1Gi').isGreaterThan(quantity('1000Mi'))", True), ("quantity('1') == quantity('1000m')", True),
    ("quantity('100m').isLessThan(quantity('1'))", True), ("quantity('1.5').isInteger()", False),
    ("quantity('2k').asInteger()", 2000), ("quantity('500m').asApproximateFloat()", 0.5),
    ("quantity('-1').sign()", -1), ("quantity('1').add(2).compareTo(quantity('3'))", 0),
    ("quantity('1').sub(quantity('2')).sign()", -1), ("isQuantity('5Mi')", True), ("isQuantity('5 Mi')", False),
])
def test_kubernetes_quantity_library(src, want):
    assert _eval(src) == want


def test_quantity_errors():
    with pytest.raises(cel.CelError, match="^cannot convert value to integer$"):
        _eval("quantity('1.5').asInteger()")
    with pytest.raises(cel.CelError) as e:
        _eval("quantity('x')")
    assert str(e.value) == ("quantities must match the regular expression "
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    with pytest.raises(cel.CelCompileError, match="found no matching overload for 'quantity' applied to '\\(int\\)'"):
        cel.compile_expr("quantity(1).sign() == 1", {"self": "dyn"})


@pytest.mark.parametrize("src, want", [
    ("url('https://user@example.com:8443/a%20b?x=1').getHost()", "example.com:8443"),
    ("url('https://example.com:8443/p').getHostname()", "example.com"), ("url('https://[::1]:80/').getHostname()", "::1"),
    ("url('https://[::1]:80/').getPort()", "80"), ("url('https://example.com/a%20b').getEscapedPath()", "/a%20b"),
    ("url('https://e.com/?x=1&x=2&y').getQuery()", {"x": ["1", "2"], "y": [""]}),
    ("url('https://a.b').getScheme() == 'https'", True), ("isURL('example.com')", False), ("isURL('/p')", True),
])
def test_kubernetes_url_library(src, want):
    assert _eval(src) == want


def test_url_errors():
    with pytest.raises(cel.CelError) as e:
        _eval("url('nope').getHost()")
    assert str(e.value) == 'URL parse error during conversion from string: parse "nope": invalid URI for request'


@pytest.mark.parametrize("src, want", [
    ("'replicas %d of %d'.format([3, 5])", "replicas 3 of 5"), ("'%.2f%%'.format([12.3456])", "12.35%"),
    ("'%e'.format([1000.0])", "1.000000e+03"), ("'%x'.format([255])", "ff"), ("'%b'.format([5])", "101"),
    ("'name %s'.format(['web'])", "name web"), ("'%s'.format([['a', 'b']])", '["a", "b"]'),
])
def test_string_format(src, want):
    assert _eval(src) == want


def test_string_format_errors():
    with pytest.raises(cel.CelError, match="^error during formatting: decimal clause can only be used on integers, "
                                           "was given string$"):
        _eval("'%d'.format(['a'])")


@pytest.mark.parametrize("src, want", [
    ("sets.contains([1, 2, 3], [3, 1])", True), ("sets.contains([1, 2], [4])", False), ("sets.contains([1], [])", True),
    ("sets.equivalent([1, 2, 2], [2, 1])", True), ("sets.equivalent([1], [1, 2])", False),
    ("sets.intersects([1, 2], [2, 5])", True), ("sets.intersects([1], [])", False),
])
def test_sets_extension(src, want):
    assert _eval(src) is want


@pytest.mark.parametrize("src, want", [
    ("ip('10.0.0.1').family()", 4), ("ip('::1').family()", 6), ("ip('::1').isLoopback()", True),
    ("ip('0.0.0.0').isUnspecified()", True), ("ip('fe80::1').isLinkLocalUnicast()", True),
    ("ip('10.1.2.3').isGlobalUnicast()", True), ("ip('255.255.255.255').isGlobalUnicast()", False),
    ("ip('224.0.0.5').isLinkLocalMulticast()", True), ("ip.isCanonical('2001:db8:0:0:0:0:0:1')", False),
    ("ip.isCanonical('2001:db8::1')", True), ("isIP('1.2.3')", False), ("string(ip('2001:DB8::1'))", "2001:db8::1"),
    ("ip('1.2.3.4') == ip('1.2.3.4')", True),
    ("cidr('10.0.0.0/8').containsIP('10.1.2.3')", True), ("cidr('10.0.0.0/8').containsIP(ip('11.1.2.3'))", False),
    ("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", True),
    ("cidr('10.0.0.0/16').containsCIDR(cidr('10.0.0.0/8'))", False),
    ("string(cidr('10.1.2.3/8').masked())", "10.0.0.0/8"), ("cidr('10.1.2.3/8').prefixLength()", 8),
    ("string(cidr('10.1.2.3/8').ip())", "10.1.2.3"), ("isCIDR('10.0.0.0')", False), ("isCIDR('fd00::/64')", True),
])
def test_kubernetes_ip_and_cidr_libraries(src, want):
    assert _eval(src) == want


@pytest.mark.parametrize("src, error", [
    ("ip('x')", 'IP Address "x" parse error during conversion from string: ParseAddr("x"): unable to parse IP'),
    ("ip('::ffff:1.2.3.4')", 'IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed'),
    ("cidr('10.0.0.0')", "network address parse error during conversion from string: network address parse error "
                         "during conversion from string: netip.ParsePrefix(\"10.0.0.0\"): no '/'"),
])
def test_ip_and_cidr_errors(src, error):
    with pytest.raises(cel.CelError) as e:
        _eval(src)
    assert str(e.value) == error
