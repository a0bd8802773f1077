"""The package's layers: each uses only those below it, and the emulator stays out of
production unless KORE_HOST=sandbox asks for it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "slackcase"

# What each layer may import from slackcase (besides itself). Read top to bottom:
# cli -> check/demo -> app -> slack -> store -> core -> kore, config, logs.
ALLOWED = {
    "kore": {"logs"},
    "core": {"kore", "config", "logs"},
    "store": {"core", "kore", "config", "logs"},
    "slack": {"core", "store", "kore", "config", "logs"},
}


def imports_of(path: Path) -> set[str]:
    """The slackcase sub-packages or modules a file imports (first part after slackcase.)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "slackcase" and len(parts) > 1:
                found.add(parts[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "slackcase" and len(parts) > 1:
                    found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(layer):
    wrong = {}
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        upward = imports_of(path) - ALLOWED[layer] - {layer}
        if upward:
            wrong[str(path.relative_to(PACKAGE))] = sorted(upward)
    assert wrong == {}


def test_no_module_is_over_400_lines():
    root = PACKAGE.parent
    long = {str(p.relative_to(root)): n for p in [*PACKAGE.rglob("*.py"),
                                                   *(root / "tests").rglob("*.py"),
                                                   *(root / "benchmarks").rglob("*.py")]
            if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}


def test_production_code_does_not_import_the_emulator():
    code = ("import sys, slackcase.cli, slackcase.app, slackcase.check, slackcase.slack.server,"
            " slackcase.slack.socket_mode; "
            "print(sorted(m for m in sys.modules if m.startswith('slackcase.sandbox')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
