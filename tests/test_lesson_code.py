"""The code cells of every book lesson are valid Python with no undefined names."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(?P<code>.*?)^```", re.DOTALL | re.MULTILINE)


def lesson_code(path: Path) -> str:
    """All code cells of a MyST notebook, in order, without their cell options."""
    cells = [m.group("code") for m in CELL.finditer(path.read_text(encoding="utf-8"))]
    return "\n\n".join(
        "\n".join(line for line in cell.splitlines() if not line.startswith(":")) for cell in cells
    )


def test_lesson_code_has_no_undefined_or_unused_names(tmp_path: Path) -> None:
    for lesson in sorted(REPO.glob("tracks/*/*/*.md")):
        code = lesson_code(lesson)
        if code.strip():
            name = "__".join(lesson.relative_to(REPO).with_suffix(".py").parts)
            (tmp_path / name).write_text(code + "\n", encoding="utf-8")
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    result = subprocess.run(
        [
            ruff,
            "check",
            "--no-cache",
            "--isolated",
            "--select",
            "E9,F63,F7,F82,F811,F841",
            "--output-format",
            "concise",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
