"""pytest collects test files by basename (the test folders are not packages): two files of one
name in different folders stop the whole run at collection. This keeps every name unique."""
import collections
import pathlib

TESTS = pathlib.Path(__file__).resolve().parent


def test_every_test_file_has_a_name_of_its_own():
    names = collections.Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert not [n for n, count in names.items() if count > 1]
