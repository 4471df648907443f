"""Named errors for the knowledge pipeline; messages say where and what to fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceProblem:
    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file} [{self.entry}]" if self.entry else self.file
        return f"{where}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge sources are broken, or the compiled database is missing or unreadable."""

    def __init__(self, problems: list[SourceProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
