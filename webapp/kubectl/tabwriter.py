"""Go's text/tabwriter, the part kubectl uses: elastic tab-separated columns padded with spaces.

kubectl never aligns columns itself; it writes cells separated by `\\t` and lets a tabwriter
line them up. Reproducing the tabwriter (rather than computing widths per table) is what makes
the odd corners of kubectl's layout come out right: `describe` aligns every run of consecutive
lines that share a column (so `Name:` … `IP:` line up, and the block restarts after `IPs:`),
and the last cell of a line is never padded.

Rules (Go `text/tabwriter`, `Writer.format`): a line is split into cells at tabs; the text after
the last tab belongs to no column. A *column block* is a maximal run of consecutive lines that
all have a tab-terminated cell at column c; its width is max(cell width) + padding, at least
minwidth. Blocks are formatted recursively, column by column.

Two settings matter: `kubectl get` uses minwidth 6, padding 3 (k/cli-runtime
`printers/tabwriter.go`); `describe`, `rollout history` use minwidth 0, padding 2
(`tabbedString` in k/kubectl `pkg/describe/describe.go`).
"""
from __future__ import annotations

GET = (6, 3)          # (minwidth, padding) of `kubectl get`
DESCRIBE = (0, 2)     # of `kubectl describe` / `rollout history`


def align(text: str, minwidth: int, padding: int) -> str:
    """Format tab-separated `text` as Go's tabwriter with pad character ' ' and no flags."""
    if not text:
        return ""
    lines = [line.split("\t") for line in text.split("\n")]
    out: list[str] = []
    _format(lines, 0, len(lines), [], minwidth, padding, out)
    return "\n".join(out)


def _format(lines: list[list[str]], line0: int, line1: int, widths: list[int],
            minwidth: int, padding: int, out: list[str]) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        # lines line0..this have no cell in this column: print them with the widths known so far
        _write(lines, line0, this, widths, out)
        line0 = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        _format(lines, line0, this, widths + [width], minwidth, padding, out)
        line0 = this
    _write(lines, line0, line1, widths, out)


def _write(lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str]) -> None:
    for cells in lines[line0:line1]:
        parts = []
        for j, cell in enumerate(cells):
            if j < len(widths) and j < len(cells) - 1:
                parts.append(cell.ljust(widths[j]))
            else:
                parts.append(cell)
        out.append("".join(parts))


class TabWriter:
    """Collect text, then `flush()` it aligned; text after a flush starts fresh columns
    (describe flushes before its Events table)."""

    def __init__(self, minwidth: int, padding: int):
        self.minwidth, self.padding = minwidth, padding
        self._pending: list[str] = []
        self._done: list[str] = []

    def write(self, s: str) -> None:
        self._pending.append(s)

    def flush(self) -> None:
        text = "".join(self._pending)
        self._pending = []
        if not text:
            return
        # Go formats complete lines; a trailing partial line is kept as text without a newline.
        self._done.append(align(text, self.minwidth, self.padding))

    def getvalue(self) -> str:
        self.flush()
        return "".join(self._done)
