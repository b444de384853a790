"""The domain core imports only the standard library (and itself).

Checked twice: by importing every domain module in a fresh interpreter and looking at
what got loaded, and by reading each file's import statements.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import siaga112.domain

DOMAIN_DIR = Path(siaga112.domain.__file__).parent
DOMAIN_MODULES = sorted(
    f"siaga112.domain.{m.name}" for m in pkgutil.iter_modules([str(DOMAIN_DIR)]))
FRAMEWORKS = ("fastapi", "sqlalchemy", "pydantic", "pydantic_core", "pydantic_settings",
              "starlette")

_PROBE = """
import importlib, json, sys
before = set(sys.modules)
for name in {modules!r}:
    importlib.import_module(name)
new = sorted(set(sys.modules) - before)
print(json.dumps({{"new": new, "all": sorted(sys.modules)}}))
"""


def test_the_domain_has_modules_to_check() -> None:
    assert {"siaga112.domain.calls", "siaga112.domain.incidents", "siaga112.domain.units",
            "siaga112.domain.positions", "siaga112.domain.phone"} <= set(DOMAIN_MODULES)


def test_importing_the_domain_loads_only_the_standard_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(modules=DOMAIN_MODULES)],
        capture_output=True, text=True, check=True, timeout=60,
    )
    loaded = json.loads(result.stdout)
    assert not [m for m in loaded["all"] if m.split(".")[0] in FRAMEWORKS]
    foreign = sorted({
        name for name in loaded["new"]
        if name.split(".")[0] not in sys.stdlib_module_names
        and name != "siaga112" and name != "siaga112.domain"
        and not name.startswith("siaga112.domain.")
    })
    assert foreign == [], f"the domain pulled in non-stdlib modules: {foreign}"


def _foreign_imports(tree: ast.AST) -> list[str]:
    def allowed(module: str) -> bool:
        return (module.split(".")[0] in sys.stdlib_module_names
                or module == "siaga112.domain" or module.startswith("siaga112.domain."))

    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bad += [f"line {node.lineno}: import {a.name}"
                    for a in node.names if not allowed(a.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level > 0:
                continue  # relative: inside siaga112.domain
            if node.module is None or not allowed(node.module):
                bad.append(f"line {node.lineno}: from {node.module} import ...")
    return bad


@pytest.mark.parametrize("path", sorted(DOMAIN_DIR.rglob("*.py")), ids=lambda p: p.name)
def test_each_domain_file_imports_only_stdlib_or_the_domain(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert _foreign_imports(tree) == []


def test_the_static_check_catches_a_framework_import() -> None:
    tree = ast.parse("import json\nfrom pydantic import BaseModel\nimport sqlalchemy.orm\n"
                     "from siaga112.config import Settings\nfrom siaga112.domain import events\n")
    assert _foreign_imports(tree) == [
        "line 2: from pydantic import ...", "line 3: import sqlalchemy.orm",
        "line 4: from siaga112.config import ...",
    ]
