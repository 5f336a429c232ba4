"""sh's grammar, the part a learner types: words with their quotes kept (expansion happens when
the command runs, so `X=1; echo $X` sees the assignment), pipelines, `&&`/`||`/`;`/`&`,
redirections (`>`, `>>`, `<`, `2>`, `2>&1`, `>&2`, `&>`), `!`, `{ }`, `( )`, and the compound
commands `if`/`while`/`until`/`for`. POSIX Shell Command Language, chapter 2, cut down."""
from __future__ import annotations

from dataclasses import dataclass, field


class ShellSyntaxError(Exception):
    """`token` is what the shell found unexpected ("" at end of input)."""

    def __init__(self, token: str):
        super().__init__(token)
        self.token = token


class Incomplete(ShellSyntaxError):
    """The input stops inside a quote or a compound command: an interactive shell asks for more."""


@dataclass
class Redirect:
    op: str           # ">", ">>", "<", ">&" (dup)
    fd: int
    target: str       # a raw word, or the fd number for ">&"


@dataclass
class Simple:
    assigns: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    redirs: list[Redirect] = field(default_factory=list)


@dataclass
class Pipeline:
    cmds: list
    negate: bool = False


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]] = field(default_factory=list)


@dataclass
class Seq:
    items: list[AndOr] = field(default_factory=list)


@dataclass
class If:
    branches: list[tuple[Seq, Seq]]
    otherwise: Seq | None = None
    redirs: list[Redirect] = field(default_factory=list)


@dataclass
class Loop:
    cond: Seq
    body: Seq
    until: bool = False
    redirs: list[Redirect] = field(default_factory=list)


@dataclass
class For:
    var: str
    words: list[str] | None
    body: Seq
    redirs: list[Redirect] = field(default_factory=list)


@dataclass
class Group:
    body: Seq
    subshell: bool = False
    redirs: list[Redirect] = field(default_factory=list)


OPERATORS = ("&&", "||", ";;", ">>", "&>", ">&", "<&", "|", "&", ";", "<", ">", "(", ")", "\n")
RESERVED = {"if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for", "in", "{", "}", "!"}


def tokenize(text: str) -> list[tuple[str, str]]:
    """[(kind, text)]: kind "word" (quotes kept), "op", or "io" (a redirection with its fd, e.g. "2>")."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    word: list[str] = []

    def flush():
        if word:
            out.append(("word", "".join(word)))
            word.clear()

    while i < n:
        ch = text[i]
        if ch in " \t":
            flush()
            i += 1
            continue
        if ch == "#" and not word:
            while i < n and text[i] != "\n":
                i += 1
            continue
        if ch == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                i += 2
                continue
            word.append(text[i:i + 2])
            i += 2
            continue
        if ch in "'\"`":
            j = _close_quote(text, i)
            word.append(text[i:j])
            i = j
            continue
        if ch == "$" and text.startswith("$(", i):
            j = _close_paren(text, i + 1)
            word.append(text[i:j])
            i = j
            continue
        if ch == "$" and text.startswith("${", i):
            j = text.find("}", i)
            if j < 0:
                raise Incomplete("")
            word.append(text[i:j + 1])
            i = j + 1
            continue
        op = next((o for o in OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            if op[0] in "<>" and word and "".join(word).isdigit():
                fd = "".join(word)
                word.clear()
                out.append(("io", fd + op))
            else:
                flush()
                out.append(("io" if op[0] in "<>" or op in ("&>",) else "op", op))
            i += len(op)
            continue
        word.append(ch)
        i += 1
    flush()
    return out


def _close_quote(text: str, i: int) -> int:
    q, j = text[i], i + 1
    while j < len(text):
        c = text[j]
        if c == "\\" and q != "'":
            j += 2
            continue
        if c == q:
            return j + 1
        j += 1
    raise Incomplete("")


def _close_paren(text: str, i: int) -> int:
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c in "'\"":
            j = _close_quote(text, j)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise Incomplete("")


class _Parser:
    def __init__(self, tokens):
        self.toks, self.i = tokens, 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("eof", "")

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def is_word(self, *words) -> bool:
        kind, text = self.peek()
        return kind == "word" and text in words

    def nonempty(self, seq: "Seq") -> "Seq":
        """A compound command's list may not be empty: `if then` is a syntax error at `then`."""
        if not seq.items:
            kind, text = self.peek()
            raise Incomplete("") if kind == "eof" else ShellSyntaxError(text)
        return seq

    def expect_word(self, word: str) -> None:
        kind, text = self.peek()
        if kind == "eof":
            raise Incomplete("")
        if kind != "word" or text != word:
            raise ShellSyntaxError(text)
        self.i += 1

    def skip_newlines(self):
        while self.peek() == ("op", "\n"):
            self.i += 1

    def seq(self, stops=()) -> Seq:
        s = Seq()
        while True:
            while self.peek() in (("op", "\n"), ("op", ";")) and s.items:
                self.i += 1
            self.skip_newlines()
            kind, text = self.peek()
            if kind == "eof" or (kind == "word" and text in stops) or (kind == "op" and text == ")" and ")" in stops):
                return s
            if kind == "op" and text in (";", "&", "&&", "||", "|", ";;", ")"):
                raise ShellSyntaxError(text)
            s.items.append(self.and_or())
            kind, text = self.peek()
            if kind == "op" and text in (";", "&", "\n"):
                self.i += 1
            elif kind != "eof" and not (kind == "word" and text in stops) and not (kind == "op" and text == ")"):
                raise ShellSyntaxError(text)

    def and_or(self) -> AndOr:
        node = AndOr(self.pipeline())
        while self.peek() in (("op", "&&"), ("op", "||")):
            op = self.take()[1]
            self.skip_newlines()
            if self.peek()[0] == "eof":
                raise Incomplete("")
            node.rest.append((op, self.pipeline()))
        return node

    def pipeline(self) -> Pipeline:
        negate = False
        if self.is_word("!"):
            self.i += 1
            negate = True
        cmds = [self.command()]
        while self.peek() == ("op", "|"):
            self.i += 1
            self.skip_newlines()
            if self.peek()[0] == "eof":
                raise Incomplete("")
            cmds.append(self.command())
        return Pipeline(cmds, negate)

    def command(self):
        kind, text = self.peek()
        if kind == "word" and text == "if":
            self.i += 1
            first = self.nonempty(self.seq(("then",)))
            self.expect_word("then")
            branches = [(first, self.nonempty(self.seq(("elif", "else", "fi"))))]
            otherwise = None
            while self.is_word("elif"):
                self.i += 1
                cond = self.nonempty(self.seq(("then",)))
                self.expect_word("then")
                branches.append((cond, self.nonempty(self.seq(("elif", "else", "fi")))))
            if self.is_word("else"):
                self.i += 1
                otherwise = self.nonempty(self.seq(("fi",)))
            self.expect_word("fi")
            return If(branches, otherwise, self.redirects())
        if kind == "word" and text in ("while", "until"):
            self.i += 1
            cond = self.nonempty(self.seq(("do",)))
            self.expect_word("do")
            body = self.nonempty(self.seq(("done",)))
            self.expect_word("done")
            return Loop(cond, body, text == "until", self.redirects())
        if kind == "word" and text == "for":
            self.i += 1
            k, var = self.take()
            if k != "word":
                raise Incomplete("") if k == "eof" else ShellSyntaxError(var)
            words = None
            self.skip_newlines()
            if self.is_word("in"):
                self.i += 1
                words = []
                while self.peek()[0] == "word":
                    words.append(self.take()[1])
            if self.peek() in (("op", ";"), ("op", "\n")):
                self.i += 1
            self.skip_newlines()
            self.expect_word("do")
            body = self.nonempty(self.seq(("done",)))
            self.expect_word("done")
            return For(var, words, body, self.redirects())
        if kind == "word" and text == "{":
            self.i += 1
            body = self.seq(("}",))
            self.expect_word("}")
            return Group(body, False, self.redirects())
        if kind == "op" and text == "(":
            self.i += 1
            body = self.seq((")",))
            if self.peek()[0] == "eof":
                raise Incomplete("")
            if self.take() != ("op", ")"):
                raise ShellSyntaxError(self.toks[self.i - 1][1])
            return Group(body, True, self.redirects())
        if kind == "word" and text in ("then", "elif", "else", "fi", "do", "done", "}", "in"):
            raise ShellSyntaxError(text)
        cmd = Simple()
        while True:
            kind, text = self.peek()
            if kind == "word":
                self.i += 1
                if not cmd.words and _is_assignment(text):
                    cmd.assigns.append(text)
                else:
                    cmd.words.append(text)
            elif kind == "io":
                cmd.redirs.append(self.redirect())
            else:
                break
        if not cmd.words and not cmd.assigns and not cmd.redirs:
            raise Incomplete("") if kind == "eof" else ShellSyntaxError(text)
        return cmd

    def redirects(self) -> list[Redirect]:
        out = []
        while self.peek()[0] == "io":
            out.append(self.redirect())
        return out

    def redirect(self) -> Redirect:
        _, text = self.take()
        digits = ""
        while text and text[0].isdigit():
            digits, text = digits + text[0], text[1:]
        k, target = self.take()
        if k != "word":
            raise Incomplete("") if k == "eof" else ShellSyntaxError(target)
        if text == "&>":
            return Redirect("&>", 1, target)
        if text in (">&", "<&"):
            return Redirect(">&", int(digits or (1 if text == ">&" else 0)), target)
        fd = int(digits) if digits else (0 if text == "<" else 1)
        return Redirect(text, fd, target)


def _is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq) and bool(name) and (name[0].isalpha() or name[0] == "_") and \
        all(c.isalnum() or c == "_" for c in name)


def parse(text: str) -> Seq:
    p = _Parser(tokenize(text))
    s = p.seq()
    if p.peek()[0] != "eof":
        raise ShellSyntaxError(p.peek()[1])
    return s
