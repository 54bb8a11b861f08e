"""Problems found in user input, with their location (file, sheet, cell)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem in an input: where it is, what value, which rule it breaks."""

    file: str
    sheet: str
    cell: str  # e.g. "D17"; a column letter alone, "A1" for a header, "" for the whole sheet/file
    value: str
    rule: str
    severity: Severity = "error"

    def location(self) -> str:
        where = self.file
        if self.sheet:
            where += f" [{self.sheet}"
            where += f"!{self.cell}]" if self.cell else "]"
        return where

    def __str__(self) -> str:
        shown = f" value {self.value!r}:" if self.value != "" else ""
        return f"{self.severity}: {self.location()}:{shown} {self.rule}"


@dataclass
class InputError(Exception):
    """Raised when inputs are unusable; carries every issue found in one pass."""

    issues: list[Issue] = field(default_factory=list)

    def __str__(self) -> str:
        errors = [i for i in self.issues if i.severity == "error"]
        head = f"{len(errors)} input error(s)"
        return head + ":\n" + "\n".join(f"  {i}" for i in errors)


class ModelError(Exception):
    """The model cannot be solved for the given inputs (explained in the message)."""


class OutputError(Exception):
    """An output cannot be written (exists without --force, folder missing, ...)."""
