"""One line of ``nib image check``'s report (kept apart so the dev-node checks need no linter)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CheckResult"]


@dataclass
class CheckResult:
    name: str
    ok: bool
    message: str
    details: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = f"{'OK  ' if self.ok else 'FAIL'} {self.name}: {self.message}"
        return [head, *(f"     {d}" for d in self.details)]
