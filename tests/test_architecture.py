"""The package layout ARCHITECTURE.md states is the one the code has.

The table of allowed imports is read from ARCHITECTURE.md itself (its one home), and
every `import academy.X` / `from academy.X import …` in src/academy — at module level
or inside a function — must follow it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "academy"
ROW = re.compile(r"^(?P<package>[a-z_]+)\s+(?:→\s*(?P<allowed>[a-z_, ]+)|nothing else.*)$")


def allowed_imports() -> dict[str, set[str] | None]:
    """{package: packages it may import} from the diagram; None means 'everything'."""
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = text.split("```\n", 2)[1]
    table: dict[str, set[str] | None] = {}
    for line in block.splitlines():
        match = ROW.match(line.strip())
        assert match, f"ARCHITECTURE.md: cannot read the import row {line!r}"
        allowed = match.group("allowed")
        if allowed and allowed.strip() == "everything":
            table[match.group("package")] = None
        else:
            table[match.group("package")] = {
                name.strip() for name in (allowed or "").split(",") if name.strip()
            }
    return table


def imports_of(path: Path) -> set[str]:
    """Academy packages a module imports (absolute imports; relative ones stay inside)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found |= {n.split(".")[1] for n in names if n.startswith("academy.")}
    return found


def package_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def test_every_package_is_in_the_diagram():
    table = allowed_imports()
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert packages | modules == set(table), "ARCHITECTURE.md's diagram and src/academy differ"


def test_imports_follow_the_diagram():
    table = allowed_imports()
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        package = package_of(path)
        if package == "__init__":
            continue
        allowed = table.get(package)
        if allowed is None:
            continue
        for target in sorted(imports_of(path) - {package} - allowed):
            wrong.append(f"{path.relative_to(REPO)} imports academy.{target}")
    assert not wrong, "imports against ARCHITECTURE.md:\n" + "\n".join(wrong)
