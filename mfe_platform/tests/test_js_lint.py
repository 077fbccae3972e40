"""`make lint` holds the JavaScript to Biome's rules: a stray `debugger;` or unused import fails."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
BIOME = shutil.which("biome", path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(BIOME is None, reason="biome is a dev extra (make install-dev)")


def lint(folder: Path) -> subprocess.CompletedProcess:
    """`biome ci` with the project's configuration over `folder`."""
    shutil.copy(REPOSITORY / "biome.json", folder / "biome.json")
    return subprocess.run(
        [BIOME, "ci", "--colors=off", "--vcs-enabled=false", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_debugger_statement_fails(tmp_path):
    (tmp_path / "page.js").write_text("export function f() {\n  debugger;\n  return 1;\n}\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "noDebugger" in result.stdout + result.stderr


def test_an_unused_import_fails(tmp_path):
    (tmp_path / "b.js").write_text("export const a = 1;\n")
    (tmp_path / "page.js").write_text('import { a } from "./b.js";\n\nexport const b = 2;\n')
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "noUnusedImports" in result.stdout + result.stderr


def test_clean_code_passes(tmp_path):
    (tmp_path / "b.js").write_text("export const a = 1;\n")
    (tmp_path / "page.js").write_text('import { a } from "./b.js";\n\nexport const b = a + 1;\n')
    assert lint(tmp_path).returncode == 0
