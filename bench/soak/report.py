"""The soak's rows and its table: request → expected → status → seconds → peak memory → bytes → result.

A row is one request, or the same request repeated (`x30`): its statuses are counted
(`200x5 429x25`), its seconds and memory are the worst of the repeats. A row fails when a request
got a 5xx or no answer, a status the row does not expect, took longer than the row's bound, or made
a web process's peak RSS exceed the memory bound.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.soak.probe import Measured

KB_PER_MB = 1024


@dataclass
class Row:
    """One line of the table, filled as its requests are measured."""

    name: str
    expect: tuple[int, ...]
    bound_seconds: float
    measured: list[Measured] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def statuses(self) -> Counter[int]:
        return Counter(m.answer.status for m in self.measured)

    @property
    def seconds(self) -> float:
        return max((m.seconds for m in self.measured), default=0.0)

    @property
    def peak_kb(self) -> int | None:
        peaks = [m.memory[0] for m in self.measured if m.memory is not None]
        return max(peaks) if peaks else None

    @property
    def growth_kb(self) -> int | None:
        growths = [m.memory[1] for m in self.measured if m.memory is not None]
        return max(growths) if growths else None

    @property
    def answer_bytes(self) -> int:
        return max((len(m.answer.body) for m in self.measured), default=0)

    def problems(self, memory_bound_mb: int) -> list[str]:
        """Why this row fails the soak (empty when it passes)."""
        found = []
        for status in sorted(self.statuses):
            if status == 0:
                found.append(
                    "no answer: " + next(m.answer.error for m in self.measured if not m.answer.status)
                )
            elif status >= 500:
                found.append(f"{status}: a server error")
            elif status not in self.expect:
                found.append(f"{status}: expected {_expected(self.expect)}")
        if self.seconds > self.bound_seconds:
            found.append(f"{self.seconds:.1f} s: over the bound of {self.bound_seconds:g} s")
        if self.peak_kb is not None and self.peak_kb > memory_bound_mb * KB_PER_MB:
            found.append(
                f"peak RSS {self.peak_kb / KB_PER_MB:.0f} MB: over the bound of {memory_bound_mb} MB"
            )
        return found


def _expected(expect: Iterable[int]) -> str:
    return "/".join(str(status) for status in expect)


def _statuses(row: Row) -> str:
    counted = row.statuses
    if len(row.measured) == 1:
        return str(next(iter(counted)))
    return " ".join(f"{status}x{count}" for status, count in sorted(counted.items()))


def _mb(kb: int | None) -> str:
    return "-" if kb is None else f"{kb / KB_PER_MB:.0f}"


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count} B"


HEADER = (
    "request",
    "expected",
    "status",
    "seconds (bound)",
    "peak RSS MB",
    "+MB",
    "answer",
    "result",
)


def table(rows: list[Row], memory_bound_mb: int) -> str:
    """The rows as a Markdown table, columns padded so it also reads as plain text."""
    cells = [HEADER]
    for row in rows:
        problems = row.problems(memory_bound_mb)
        result = "; ".join(problems) if problems else "ok"
        if row.notes:
            result += " — " + "; ".join(row.notes)
        cells.append(
            (
                row.name,
                _expected(row.expect),
                _statuses(row),
                f"{row.seconds:.2f} ({row.bound_seconds:g})",
                _mb(row.peak_kb),
                _mb(row.growth_kb),
                _size(row.answer_bytes),
                result,
            )
        )
    widths = [max(len(line[column]) for line in cells) for column in range(len(HEADER) - 1)]
    lines = []
    for index, line in enumerate(cells):
        padded = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)] + [line[-1]]
        lines.append("| " + " | ".join(padded) + " |")
        if index == 0:
            lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|---|")
    return "\n".join(lines)
