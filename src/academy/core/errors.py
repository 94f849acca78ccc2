"""The errors the CLI turns into a readable one-line message.

`AcademyError` is any problem the user can fix. `FileError` is one that sits in a file:
it carries the path, the line and the rule id, so whoever catches it (the CLI, `academy
validate`, the build) reports it as `path:line: rule-id: message` without reading its
text back.
"""

from __future__ import annotations

from pathlib import Path

from academy.core.findings import Finding, rel


class AcademyError(Exception):
    """A problem the user can fix: the message names the file and the fix."""


class FileError(AcademyError):
    """A problem in one file at one line, under a rule id of `academy validate`."""

    def __init__(self, path: Path | str, line: int, rule: str, message: str):
        self.path, self.line, self.rule, self.message = Path(path), line, rule, message
        super().__init__(f"{path}:{line}: {rule}: {message}")

    @classmethod
    def of(cls, finding: Finding, fix: str = "") -> FileError:
        """The error for a finding (its path as shown: relative to the academy root)."""
        message = f"{finding.message}; {fix}" if fix else finding.message
        return cls(finding.path, finding.line, finding.rule, message)

    def finding(self, root: Path) -> Finding:
        """The finding that reports this problem, its path relative to the academy root."""
        shown = rel(self.path, root) if self.path.is_absolute() else self.path.as_posix()
        return Finding(shown, self.line, self.rule, self.message)
