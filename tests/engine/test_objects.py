"""engine/objects.py's random draws and time parsing, made cheaper, give what the plain versions
give: random_suffix the names random.choice draws (the same bits, so the same names under the
golden trace's seed), new_uid a version-4 UUID from the same 128 bits, parse_time through its
cache what datetime parses."""
import collections
import datetime
import random
import re
import uuid

import pytest

from engine import objects

ALPHABET = "bcdfghjklmnpqrstvwxz2456789"      # k8s.io/apimachinery pkg/util/rand alphanums


def choice_suffix(n, rng):
    """random_suffix as it was: one random.choice a character."""
    return "".join(rng.choice(ALPHABET) for _ in range(n))


@pytest.mark.parametrize("n", [0, 1, 2, 5, 13, 40])
def test_random_suffix_draws_what_choice_draws_and_leaves_the_generator_where_choice_does(n):
    for seed in range(300):
        want_rng, got_rng = random.Random(seed), random.Random(seed)
        assert objects.random_suffix(n, got_rng) == choice_suffix(n, want_rng)
        assert got_rng.getstate() == want_rng.getstate()


def test_random_suffix_without_a_generator_draws_from_the_random_module(monkeypatch):
    state = random.getstate()
    try:
        random.seed(1234)
        got = [objects.random_suffix() for _ in range(50)]
        after = random.getstate()
        rng = random.Random(1234)
        assert got == [choice_suffix(5, rng) for _ in range(50)]
        assert after == rng.getstate()
    finally:
        random.setstate(state)


def test_random_suffix_is_n_characters_of_the_no_vowel_alphabet():
    rng = random.Random(7)
    for n in (0, 1, 5, 63):
        for _ in range(200):
            s = objects.random_suffix(n, rng)
            assert len(s) == n
            assert set(s) <= set(ALPHABET)
    assert objects.random_suffix(0, rng) == ""


def test_random_suffix_draws_each_character_about_equally_often():
    # A fixed seed: the counts are the same on every run (a check of the table, not a gamble).
    rng = random.Random(2026)
    per_char = 2000
    counts = collections.Counter("".join(objects.random_suffix(27, rng) for _ in range(per_char)))
    assert set(counts) == set(ALPHABET)
    chi2 = sum((counts[c] - per_char) ** 2 / per_char for c in ALPHABET)
    assert chi2 < 60          # 26 degrees of freedom: p ≈ 0.0002 at 60; a skewed table gives thousands


def test_new_uid_is_a_version_4_uuid_as_uuid4_spells_it():
    seen = set()
    for _ in range(2000):
        uid = objects.new_uid()
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uid)
        parsed = uuid.UUID(uid)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert str(parsed) == uid
        seen.add(uid)
    assert len(seen) == 2000


def test_new_uid_takes_the_generators_128_bits_as_uuid_does(monkeypatch):
    rng = random.Random(6)
    monkeypatch.setattr(objects, "_uid_random", rng)
    got = [objects.new_uid() for _ in range(100)]
    ref = random.Random(6)
    want = [str(uuid.UUID(int=ref.getrandbits(128), version=4)) for _ in range(100)]
    assert got == want


STAMPS = ["2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "1970-01-01T00:00:00Z",
          "2026-06-30T12:34:56.789012Z", "2026-01-01T01:00:00+01:00", "2025-12-31T19:00:00-05:00",
          "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]
BAD = ["not a time", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00Z", "2026-01-01T00:00:00ZZ", "Z"]


def plain_parse(s):
    try:
        return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def test_parse_time_gives_what_parsing_gives_first_time_and_from_its_cache():
    objects._parse_time.cache_clear()
    for _ in range(2):              # the second round is served from the cache
        for s in STAMPS:
            assert objects.parse_time(s) == plain_parse(s)
    assert objects._parse_time.cache_info().hits >= len(STAMPS)
    assert objects.parse_time("2026-01-01T00:00:00Z") - objects.parse_time("1970-01-01T00:00:00Z") == 1767225600.0
    assert objects.parse_time("2026-01-01T01:00:00+01:00") == objects.parse_time("2026-01-01T00:00:00Z")


def test_parse_time_of_nothing_or_of_what_does_not_parse_is_none_every_time():
    assert objects.parse_time(None) is None
    assert objects.parse_time("") is None
    for _ in range(2):
        for s in BAD:
            assert objects.parse_time(s) is None
    for not_text in (1767225600, 1.5, {"t": "2026-01-01T00:00:00Z"}, ["2026-01-01T00:00:00Z"], True):
        assert objects.parse_time(not_text) is None      # type: ignore[arg-type]


def test_parse_time_cache_is_bounded():
    objects._parse_time.cache_clear()
    maxsize = objects._parse_time.cache_info().maxsize
    assert maxsize is not None
    for i in range(maxsize + 100):
        assert objects.parse_time(objects.iso(1767225600 + i)) == 1767225600 + i
    assert objects._parse_time.cache_info().currsize == maxsize
