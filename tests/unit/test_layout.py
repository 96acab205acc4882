"""The map in docs/architecture.md holds: what each package may import, four root modules, no
module over 450 lines, and services that never reach for the request or the app's settings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Package (or root module) → the packages and root modules of ours it may import.
MAY_IMPORT = {
    "config": set(),
    "extensions": set(),
    "models": {"extensions"},
    "caching": {"models", "extensions", "config"},
    "services": {"models", "extensions", "caching"},
    "web": {"services", "models", "extensions", "config"},
    "blueprints": {"web", "services", "caching", "models", "extensions"},
    "cli": {"services", "models", "extensions"},
}
OURS = {"app", "config", "extensions", "cli", "blueprints", "web", "services", "caching", "models"}
OURS |= {"deploy", "scripts", "tests", "migrations"}
# What a service must be handed by its caller instead (STYLE.md: thin routes, services own rules).
REQUEST_BOUND = {"request", "current_app", "current_user", "session", "g"}


def _files(name: str) -> list[Path]:
    return (
        [ROOT / f"{name}.py"]
        if (ROOT / f"{name}.py").exists()
        else sorted((ROOT / name).rglob("*.py"))
    )


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import in the file, inside functions too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
    return found


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_package_imports_only_what_the_map_allows(package):
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _files(package)
        for module, _names in _imports(path)
        if (top := module.split(".")[0]) in OURS
        and top != package
        and top not in MAY_IMPORT[package]
    ]
    assert wrong == []


def test_at_most_four_python_modules_at_the_root():
    assert sorted(p.name for p in ROOT.glob("*.py")) == [
        "app.py",
        "cli.py",
        "config.py",
        "extensions.py",
    ]


def test_no_module_over_450_lines_outside_migrations_and_tests():
    long = {
        str(path.relative_to(ROOT)): n
        for path in ROOT.rglob("*.py")
        if not {".venv", "node_modules", "migrations", "tests"} & set(path.relative_to(ROOT).parts)
        and (n := len(path.read_text().splitlines())) > 450
    }
    assert long == {}


def test_services_never_read_the_request_or_the_apps_settings():
    wrong = [
        f"{path.relative_to(ROOT)} imports {name} from {module}"
        for path in _files("services")
        for module, names in _imports(path)
        if module in ("flask", "flask_login")
        for name in names
        if name in REQUEST_BOUND
    ]
    assert wrong == []


def test_every_package_says_what_it_owns():
    packages = [p.parent for p in ROOT.glob("*/**/__init__.py") if "tests" not in p.parts]
    silent = [
        str(p.relative_to(ROOT))
        for p in packages
        if ".venv" not in p.parts
        and "node_modules" not in p.parts
        and ast.get_docstring(ast.parse((p / "__init__.py").read_text())) is None
    ]
    assert silent == []
