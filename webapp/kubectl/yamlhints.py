"""Plain-language hints beside PyYAML's own texts, for the editor's syntax errors.

PyYAML's `problem` says what its scanner met ("mapping values are not allowed here"), not what
the learner most likely did. Each entry: a piece of the problem text (and, when the same problem
has different usual causes, of its context) → what to look for. The parser's text is always shown
too; the hint only says where to look.
"""
from __future__ import annotations

# (problem contains, context contains or "", hint), first match wins.
HINTS: tuple[tuple[str, str, str], ...] = (
    ("mapping values are not allowed here", "",
     "a colon inside a value (quote the value), or wrong indentation on this line or the one above"),
    ("could not find expected ':'", "",
     "a line that is not `key: value`: a missing colon after the key, or a value continued on a "
     "new line (indent it further, or quote it)"),
    ("found character '\\t' that cannot start any token", "",
     "a tab character: YAML indents with spaces only"),
    ("did not find expected key", "",
     "wrong indentation: this line does not line up with the keys above it (a key indented too "
     "little or too much, or a `-` list item out of line)"),
    ("did not find expected '-' indicator", "",
     "a list item that does not line up with the items above it"),
    ("expected <block end>", "",
     "wrong indentation: this line is indented differently from the lines around it"),
    ("found unexpected end of stream", "quoted scalar",
     "a quote opened and never closed"),
    ("found unexpected end of stream", "",
     "the text ends inside something still open: a quote, a [ or a {"),
    ("expected ',' or ']'", "",
     "a flow list `[a, b]` missing a comma or its closing ]"),
    ("expected ',' or '}'", "",
     "a flow map `{a: 1, b: 2}` missing a comma or its closing }"),
    ("found unknown escape character", "",
     "a backslash inside double quotes: use single quotes, or write it as \\\\"),
    ("that cannot start any token", "",
     "a value starting with a character YAML reserves (@, `, %): put the value in quotes"),
    ("found undefined alias", "",
     "a value starting with *: put it in quotes (YAML reads *name as a reference)"),
    ("found duplicate anchor", "",
     "a value starting with &: put it in quotes (YAML reads &name as an anchor)"),
)


def hint_for(problem: str | None, context: str | None = None) -> str | None:
    problem, context = problem or "", context or ""
    for needle, ctx, hint in HINTS:
        if needle in problem and ctx in context:
            return hint
    return None
