"""requirements-lock.txt: every declared dependency is locked with hashes, Streamlit at the minor release
ui/streamlit_compat.py was checked against, and this environment was installed from it (scripts/bootstrap)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ui.streamlit_compat import CHECKED_STREAMLIT

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+(?:\[[^\]]*\])?)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _locked() -> dict[str, list[tuple[str, str | None, list[str]]]]:
    """name -> [(version, marker, hashes)] (a package may be locked once per Python-version range)."""
    locked: dict[str, list] = {}
    current = None
    for line in (ROOT / "requirements-lock.txt").read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            name = canonicalize_name(Requirement(match.group(1)).name)
            current = (match.group(2), match.group(3), [])
            locked.setdefault(name, []).append(current)
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            current[2].append(line.strip())
    return locked


def _declared() -> list[Requirement]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]]


def test_every_declared_dependency_is_locked_with_hashes():
    locked = _locked()
    for requirement in _declared():
        entries = locked.get(canonicalize_name(requirement.name))
        assert entries, f"{requirement.name} is declared in pyproject.toml but not in requirements-lock.txt"
        for version, _, _hashes in entries:
            assert requirement.specifier.contains(version, prereleases=True), (requirement, version)
    assert all(hashes for entries in locked.values() for _, _, hashes in entries)


def test_streamlit_is_pinned_to_the_checked_minor():
    [streamlit] = [r for r in _declared() if r.name == "streamlit"]
    major, minor = map(int, CHECKED_STREAMLIT.split("."))
    assert not streamlit.specifier.contains(f"{major}.{minor + 1}.0") and streamlit.specifier.contains(
        f"{CHECKED_STREAMLIT}.0")
    assert [version for version, _, _ in _locked()["streamlit"]][0].startswith(CHECKED_STREAMLIT + ".")


def test_this_environment_matches_the_lock():
    """What scripts/bootstrap installed is what the lock says (a stale .venv fails here, not later)."""
    wrong = []
    for name, entries in _locked().items():
        for version, marker, _ in entries:
            if marker is None or Marker(marker).evaluate():
                try:
                    installed = metadata.version(name)
                except metadata.PackageNotFoundError:
                    wrong.append(f"{name} missing (locked {version})")
                    continue
                if installed != version:
                    wrong.append(f"{name} {installed} installed, locked {version}")
    assert wrong == [], wrong
