"""A problem found in a content file, worded for editors (French) and located by file and line."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    hint: str
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self, base: Path | None = None) -> str:
        """`path:line`, the path relative to `base` when it is inside."""
        shown = self.path
        if base is not None:
            try:
                shown = self.path.resolve().relative_to(base.resolve())
            except ValueError:
                shown = self.path
        return f"{shown}:{self.line}"

    def render(self, base: Path | None = None) -> str:
        """`path:line: what is wrong — how to fix it`."""
        label = "" if self.is_error else "avertissement : "
        return f"{self.location(base)}: {label}{self.message} — {self.hint}"


class ContentError(Exception):
    """Raised by a loader when content cannot be served; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in content files")
        self.problems = problems
