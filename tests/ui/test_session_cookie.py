"""The session cookie is named per deployment: two dashboards on one host keep their sign-ins apart."""

from __future__ import annotations

import re

from ui.session_cookie import cookie_name, write_script


def test_the_cookie_name_names_the_warehouse_not_its_password():
    pingliang = cookie_name("postgresql+psycopg://app:secret@db.example/pingliang")
    assert re.fullmatch(r"mhm_session_[0-9a-f]{8}", pingliang)
    assert cookie_name("postgresql+psycopg://app:changed@db.example/pingliang") == pingliang
    assert cookie_name("postgresql+psycopg://app:secret@db.example/shaanxi") != pingliang
    assert cookie_name("duckdb:////srv/a/warehouse.duckdb") != cookie_name("duckdb:////srv/b/warehouse.duckdb")


def test_the_script_writes_the_deployments_cookie(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", "duckdb:////srv/a/warehouse.duckdb")
    script = write_script("a" * 43, 3600)
    assert f"'{cookie_name('duckdb:////srv/a/warehouse.duckdb')}={'a' * 43}; Path=/; Max-Age=3600" in script


def test_a_conditional_removal_leaves_a_newer_token_alone(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", "duckdb:////srv/a/warehouse.duckdb")
    name = cookie_name("duckdb:////srv/a/warehouse.duckdb")
    script = write_script(None, 3600, only_if="b" * 43)
    assert f"if (document.cookie.split('; ').indexOf('{name}={'b' * 43}') >= 0)" in script
    assert f"'{name}=; Path=/; Max-Age=0" in script
    assert "if (" not in write_script(None, 3600)
