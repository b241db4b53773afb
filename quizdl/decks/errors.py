"""Located problems in deck files: ``path:line:column: field: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DeckProblem:
    path: str
    line: int  # 1-based; 0 when the problem concerns the file as a whole
    column: int  # 1-based
    field: str  # e.g. "cards[3].type"; empty for file-level problems
    message: str

    def __str__(self) -> str:
        if self.line == 0:
            return f"{self.path}: {self.message}"
        field = f" {self.field}:" if self.field else ""
        return f"{self.path}:{self.line}:{self.column}:{field} {self.message}"


class DeckError(Exception):
    """A deck file that cannot be used; carries every problem found, located."""

    def __init__(self, problems: list[DeckProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
