"""Apps depend one way (docs/architecture.md): content never imports work, work never
imports the progress or screens above it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Lowest first: an app may import the apps before it, never the ones after it.
LAYERS = [
    "organisations",
    "cohorts",
    "courses",
    "assignments",
    "learning",
    "notifications",
    "privacy",
    "dashboards",
]
# accounts sits under everything; only its role lookup reads cohorts and organisations.
ACCOUNTS_MAY_READ = {"accounts/roles.py": {"cohorts", "organisations"}}


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _sources(app: str):
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_never_imports_the_layers_above_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1 :]) | {"demo"}
    wrong = {
        str(path.relative_to(ROOT)): sorted(_imported_apps(path) & above)
        for path in _sources(app)
        if _imported_apps(path) & above
    }
    assert wrong == {}


def test_accounts_reads_other_apps_only_for_roles():
    wrong = {}
    for path in _sources("accounts"):
        relative = str(path.relative_to(ROOT))
        allowed = ACCOUNTS_MAY_READ.get(relative, set())
        found = (_imported_apps(path) & {*LAYERS, "demo"}) - allowed
        if found:
            wrong[relative] = sorted(found)
    assert wrong == {}


def test_the_layer_check_sees_imports():
    # Guards the guard: learning really imports assignments, so the walk finds imports.
    assert "assignments" in _imported_apps(ROOT / "learning" / "progress.py")
