"""Yearly reports are accepted for every school year that has ended, and refused for one still running."""

from __future__ import annotations

from datetime import date

import pytest

from data_access import years
from data_access.importing import import_file, template_xlsx, validation
from data_access.importing.spec import REPORT_TYPES
from tests.data_access import fixture_warehouse

TODAY = date(2026, 11, 27)  # the 2025-2026 school year has ended; 2026-2027 is running


@pytest.fixture
def warehouse(engine, monkeypatch):
    fixture_warehouse.populate(engine)
    monkeypatch.setattr(validation, "reportable_years", lambda: years.reportable_years(TODAY))
    return engine


def test_a_2026_report_imports(warehouse):
    outcome = import_file(warehouse, "年报.csv", "学校代码,年度,在校生数\nS1,2026,1250\n".encode(), imported_by="t")
    assert outcome.status == "applied" and len(outcome.plan.added) == 1


def test_a_year_not_yet_ended_is_refused_with_the_reason(warehouse):
    outcome = import_file(warehouse, "年报.csv", "学校代码,年度,在校生数\nS1,2027,1250\n".encode(), imported_by="t")
    assert outcome.status == "rejected"
    issue = outcome.issues[0]
    assert (issue.row, issue.column, issue.value) == (2, "年度", "2027")
    assert "2026–2027 学年尚未结束" in issue.message and "2022–2026" in issue.message


def test_a_year_before_the_earliest_baseline_is_refused(warehouse):
    outcome = import_file(warehouse, "年报.csv", "学校代码,年度,在校生数\nS1,2021,1250\n".encode(), imported_by="t")
    assert outcome.status == "rejected" and "基线年 2022" in outcome.issues[0].message


def test_the_template_year_check_follows_today(monkeypatch):
    import io

    from openpyxl import load_workbook

    from data_access.importing import templates

    monkeypatch.setattr(templates, "reportable_years", lambda: years.reportable_years(TODAY))
    sheet = load_workbook(io.BytesIO(template_xlsx(REPORT_TYPES["school"])))["填报"]
    year_check = next(v for v in sheet.data_validations.dataValidation if v.type == "whole" and v.formula2)
    assert (year_check.formula1, year_check.formula2) == ("2022", "2026")
