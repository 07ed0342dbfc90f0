"""One declared table of environment settings (data_access/settings.py): every variable the product reads is
in it, with a default and help, and the README lists each one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from data_access import settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("app.py", "pages", "ui", "exports", "charts", "data_access", "geo", "demo", "mhmonitor", "scripts")
# A read: os.environ.get(X / os.environ[X] / os.getenv(X / settings.value(X, with X a literal or a constant.
READ = re.compile(r"(?:os\.environ\.get|os\.environ\[|os\.getenv|settings\.value|environ\.get)\(?\s*"
                  r"""([A-Za-z_"'][\w"']*)""")
CONSTANT = re.compile(r"""^\s*([A-Z][A-Z0-9_]*)\s*=\s*["']([A-Z][A-Z0-9_]*)["']""", re.MULTILINE)
SHELL_READ = re.compile(r"\$\{?((?:MHMONITOR_|WAREHOUSE_)[A-Z0-9_]*)")


def _python_files():
    for part in PRODUCT:
        path = ROOT / part
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def variables_read() -> dict[str, str]:
    """name -> first file that reads it."""
    constants: dict[str, str] = {}
    sources = {path: path.read_text(encoding="utf-8") for path in _python_files()}
    for text in sources.values():
        constants.update(CONSTANT.findall(text))
    found: dict[str, str] = {}
    for path, text in sources.items():
        for token in READ.findall(text):
            name = token.strip("\"'") if token[0] in "\"'" else constants.get(token)
            if name is None:
                if token == "name":  # settings.value's own parameter
                    continue
                pytest.fail(f"{path.relative_to(ROOT)} reads the environment through {token}: use a literal name "
                            "or a NAME = \"VARIABLE\" constant so this test can check it")
            found.setdefault(name, str(path.relative_to(ROOT)))
    for path in sorted((ROOT / "deploy").glob("*.sh")):
        for name in SHELL_READ.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def test_every_variable_read_is_declared():
    read = variables_read()
    assert {"WAREHOUSE_URL", "MHMONITOR_ALLOWED_REGION", "MHMONITOR_IDLE_MINUTES"} <= set(read)  # the scan works
    undeclared = {name: where for name, where in read.items() if name not in settings.BY_NAME}
    assert undeclared == {}, f"declare these in data_access/settings.py SETTINGS: {undeclared}"


def test_every_setting_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in settings.SETTINGS:
        assert setting.help and f"`{setting.name}`" in readme, setting.name


def test_value_reads_the_environment_then_the_default(monkeypatch):
    monkeypatch.delenv("MHMONITOR_IDLE_MINUTES", raising=False)
    assert settings.value("MHMONITOR_IDLE_MINUTES") == "30"
    monkeypatch.setenv("MHMONITOR_IDLE_MINUTES", " 5 ")
    assert settings.value("MHMONITOR_IDLE_MINUTES") == "5"
    with pytest.raises(KeyError):
        settings.value("MHMONITOR_NOT_DECLARED")
