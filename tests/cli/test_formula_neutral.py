"""Formula-like names planted through a real registry import come out inert in every file and CLI format
(issue 17 item 1): templates (page and `mhmonitor template --with-values`), `indicators --format csv/tsv`,
`imports`, `import --show-changes`, `user list`, the page tables (ranking, history) and the final evaluation."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from data_access.cells import FORMULA_PREFIXES, TEXT_MARK, neutral_cell
from data_access.evaluation import evaluate
from data_access.importing import (
    history_table,
    import_history,
    prefill_units,
    report_type,
    reported_values,
    template_xlsx,
)
from exports.evaluation_report import evaluation_file
from exports.tables import csv_bytes, indicator_table, xlsx_bytes
from tests.cli.test_cli import run

PLANTED = ('=HYPERLINK("http://x","click")', "+1", "-2+3", "@SUM(A1)")
SCHOOL_IDS = ("2162000101", "2162000102", "2162000103", "2162000104")
PLANTED_FILE = "=1+1年报.csv"
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def test_neutral_cell_rule():
    assert [neutral_cell(v) for v in PLANTED] == [TEXT_MARK + v for v in PLANTED]
    assert neutral_cell("\tx") == "'\tx" and neutral_cell("\rx") == "'\rx"
    # Numbers stay numbers; ordinary text and text with a formula sign inside is unchanged.
    assert neutral_cell(-2.5) == -2.5 and neutral_cell(3) == 3 and neutral_cell(None) is None
    assert neutral_cell("崆峒东关小学") == "崆峒东关小学" and neutral_cell("a=b") == "a=b"


def _assert_inert_text(text: str, delimiter: str = ",") -> list[list[str]]:
    """Every field of CSV/TSV text: a plain number (a negative gap is one) or text no spreadsheet runs."""
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    for row in rows:
        for field in row:
            assert NUMBER.fullmatch(field) or not field.startswith(FORMULA_PREFIXES), (field, row)
    return rows


def _assert_inert_xlsx(data: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(data))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES), (sheet.title, cell.coordinate, cell.value)
        values.extend(book.worksheets[0].iter_rows(values_only=True))
    return values


@pytest.fixture
def planted(engine, monkeypatch, tmp_path, capsys):
    """A warehouse whose schools are named PLANTED, with a 2025 report from a file named PLANTED_FILE and an
    account whose display name is a formula."""
    monkeypatch.setenv("WAREHOUSE_URL", engine.url.render_as_string(hide_password=False))
    assert run(capsys, "init", "--region", "620800")[0] == 0
    registry = io.StringIO()
    writer = csv.writer(registry)
    writer.writerow(["学校标识码", "学校名称", "县区代码", "学段", "是否寄宿制", "城乡", "经度", "纬度", "开办年份",
                     "停办年份"])
    for school_id, name in zip(SCHOOL_IDS, PLANTED, strict=True):
        writer.writerow([school_id, name, "620802", "小学", "否", "城镇", "", "", "", ""])
    path = tmp_path / "学校名录.csv"
    path.write_text(registry.getvalue(), encoding="utf-8")
    code, _, err = run(capsys, "import", str(path))
    assert code == 0, err
    report = tmp_path / PLANTED_FILE
    report.write_text("学校代码,年度,在校生数,专职心理健康教师数\n"
                      + "".join(f"{school_id},2025,{400 + i},1\n" for i, school_id in enumerate(SCHOOL_IDS)),
                      encoding="utf-8")
    code, _, err = run(capsys, "import", str(report))
    assert code == 0, err
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password-1\n"))
    code, _, err = run(capsys, "user", "add", "clerk", "--role", "viewer", "--region", "620800",
                       "--name", '=HYPERLINK("http://x","me")', "--password-stdin")
    assert code == 0, err
    return engine


def test_templates_are_inert_and_round_trip(planted, capsys, tmp_path):
    registry = tmp_path / "名录.xlsx"
    code, _, err = run(capsys, "template", "school_registry", "--region", "620802", "--with-values",
                       "--out", str(registry))
    assert code == 0, err
    rows = _assert_inert_xlsx(registry.read_bytes())
    assert {row[1] for row in rows[1:5]} == {TEXT_MARK + name for name in PLANTED}
    # Imported back, the marked names read as they were stored: nothing changes.
    code, out, err = run(capsys, "import", str(registry), "--dry-run")
    assert code == 0 and "新增 0 行, 修改 0 行, 不变 4 行" in out, (out, err)

    yearly = tmp_path / "年报.xlsx"
    code, _, err = run(capsys, "template", "school", "--region", "620802", "--year", "2025", "--with-values",
                       "--out", str(yearly))
    assert code == 0, err
    assert {row[1] for row in _assert_inert_xlsx(yearly.read_bytes())[1:5]} == {TEXT_MARK + n for n in PLANTED}
    code, out, err = run(capsys, "import", str(yearly), "--dry-run")
    assert code == 0 and "修改 0 行" in out, (out, err)

    # The import page builds its template from the same pieces (ui.resources.template_bytes).
    spec = report_type("school")
    with planted.connect() as conn:
        units = prefill_units(conn, spec, "620802")
        values = reported_values(conn, spec, [unit_id for unit_id, _ in units], 2025)
    _assert_inert_xlsx(template_xlsx(spec, units=units, year=2025, values=values))


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_indicators_output_is_inert(planted, capsys, fmt):
    code, out, err = run(capsys, "indicators", "--region", "620802", "--year", "2025", "--level", "school",
                         "--format", fmt)
    assert code == 0, err
    rows = _assert_inert_text(out, "," if fmt == "csv" else "\t")
    names = {row[1] for row in rows[1:]}
    assert {TEXT_MARK + name for name in PLANTED} <= names


def test_history_users_and_changes_are_inert(planted, capsys, tmp_path):
    code, out, err = run(capsys, "imports")
    assert code == 0, err
    assert TEXT_MARK + PLANTED_FILE in {row[2] for row in _assert_inert_text(out)}

    code, out, err = run(capsys, "user", "list")
    assert code == 0, err
    assert "'=HYPERLINK(\"http://x\",\"me\")" in {row[1] for row in _assert_inert_text(out)}

    renamed = tmp_path / "改名.csv"
    renamed.write_text("学校标识码,学校名称,县区代码,学段,是否寄宿制,城乡\n"
                       "2162000101,@NOW(),620802,小学,否,城镇\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(renamed), "--dry-run", "--show-changes")
    assert code == 0, err
    shown = _assert_inert_text(out[out.index("行,"):])
    assert any("'@NOW()" in row for row in shown)


def test_page_downloads_are_inert(planted):
    ranking = indicator_table(evaluate(planted, "620802", "school", [2025]))
    assert set(PLANTED) <= set(ranking["单位"])  # the frame holds the raw names; the files do not
    history = history_table(import_history(planted, "000000"))
    for frame in (ranking, history):
        _assert_inert_text(csv_bytes(frame).decode("utf-8-sig"))
        _assert_inert_xlsx(xlsx_bytes(frame))
    numbers = _assert_inert_xlsx(xlsx_bytes(ranking))
    assert any(isinstance(value, int | float) for row in numbers[1:] for value in row)  # numbers stay numbers
    for file_format in ("csv", "xlsx"):
        data = evaluation_file(planted, "620800", "pingliang_2023", file_format)
        _assert_inert_text(data.decode("utf-8-sig")) if file_format == "csv" else _assert_inert_xlsx(data)


def test_credentials_hand_out_is_inert():
    from data_access.account_import import AccountRow, credentials_csv

    rows = [(AccountRow(2, "clerk", name, "reporter", "620802", None), "abcDEF234567xy") for name in PLANTED]
    text = credentials_csv(rows).decode("utf-8-sig")
    shown = _assert_inert_text(text)
    assert [row[1] for row in shown[1:]] == [TEXT_MARK + name for name in PLANTED]
    assert all(row[4] == "abcDEF234567xy" for row in shown[1:])
