"""What `faq check` and the loader report: a problem names file, line and entry, in words an editor can act on."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import AdmissionsError


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    entry_id: str | None
    message: str
    severity: str = "error"  # or "warning"
    # Found only by comparing with the material (--material): the bot, which never reads
    # the material, would still start, so `faq check` must not claim otherwise.
    from_material: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        entry = f" entry '{self.entry_id}':" if self.entry_id else ""
        return f"{where}: {self.severity}:{entry} {self.message}"


class FaqError(AdmissionsError):
    """The FAQ has errors; `problems` lists each, `str()` all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"The FAQ has {len(problems)} problem(s):\n{lines}")
