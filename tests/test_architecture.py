"""The core must stay platform-independent: no discord import anywhere under core/ or storage/."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "admissionsbot"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_and_storage_never_import_discord():
    offenders = []
    files = list((PACKAGE / "core").rglob("*.py")) + list((PACKAGE / "storage").rglob("*.py"))
    assert len(files) > 5  # the scan really looked at the core
    for path in files:
        for name in _imported_modules(path):
            if name == "discord" or name.startswith("discord."):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def _relative_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level > 0}


def test_core_does_not_import_adapters_or_cli():
    """One direction of imports: adapters -> service -> core."""
    seen = 0
    for path in (PACKAGE / "core").rglob("*.py"):
        for module in _relative_imports(path):
            seen += 1
            assert not module.startswith(("adapters", "cli", "bootstrap")), f"{path.name} imports {module}"
    assert seen > 5


def test_core_never_imports_storage():
    """The TicketStore port lives in core (core/ports.py); storage implements it, core never reaches down."""
    seen = 0
    for path in (PACKAGE / "core").rglob("*.py"):
        for module in _relative_imports(path) | _imported_modules(path):
            seen += 1
            assert "storage" not in module.split("."), f"{path.name} imports {module}"
    assert seen > 5


def test_front_ends_render_outcomes_and_never_decide():
    """Deciding is the conversation layer's job: no adapter calls decide() or the matcher itself."""
    for path in (PACKAGE / "adapters").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("decide(", "Matcher(", ".match(", "ACTION_FOR_KIND"):
            assert forbidden not in text, f"{path.relative_to(PACKAGE)} uses {forbidden}"
