"""What every importer reports: problems by file, row and column, and what an applied import changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ProgressFn = Callable[[float, str], None]
"""Progress callback: fraction done in [0, 1] and a short phrase ('validating', 'writing events')."""


@dataclass(frozen=True)
class Problem:
    """One reason a row cannot be imported. ``row`` is the 1-based line or row number in the file (0: the whole file)."""

    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = self.file if self.row == 0 else f"{self.file} row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


class ImportRefused(Exception):
    """The input was refused whole; the store is unchanged. ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem], limit: int = 50) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:limit])
        more = f"\n  … and {len(problems) - limit} more" if len(problems) > limit else ""
        super().__init__(f"import refused, nothing changed: {len(problems)} problem(s)\n{shown}{more}")

    def first_line(self) -> str:
        """One line for a CLI's stderr: the count and the first problem."""
        return f"import refused, nothing changed: {len(self.problems)} problem(s); first: {self.problems[0]}"


@dataclass
class ImportResult:
    """What an applied import did: per table, rows inserted, updated and unchanged; rows skipped with reasons."""

    import_id: int
    status: str  # 'applied' or 'unchanged'
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """One line per table for the CLI and the Data page."""
        if self.status == "unchanged":
            return "nothing changed: the store already holds this file's rows"
        lines = [
            f"{table}: {c.get('inserted', 0)} inserted, {c.get('updated', 0)} updated, {c.get('unchanged', 0)} unchanged"
            for table, c in self.counts.items()
        ]
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} bad row(s)")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)
