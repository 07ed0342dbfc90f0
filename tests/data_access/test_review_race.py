"""An import and a submission racing in two processes never leave an import inside a submitted or approved
county, on both engines: they take the same lock row, so one runs after the other and the later one sees it.

Each scenario makes one side hold the lock for a while (a slowed write inside its transaction) while the other
starts; whichever order results, the invariant is checked, not the timing: either the import was applied
before the submission (whose history then counts its row), or it was refused with the lock's message and
wrote nothing.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest
import sqlalchemy as sa

from data_access import review
from data_access.access import Principal
from data_access.importing import import_file
from data_access.schema import import_batches, review_events, school_year
from tests.data_access.fixture_warehouse import populate

IMPORTER = textwrap.dedent("""
    import sys, time
    from data_access.engine import make_engine
    from data_access.importing import loading

    url, slow = sys.argv[1], sys.argv[2] == "slow"
    if slow:  # hold the lock: the first write inside the import's transaction waits
        real_write = loading._write
        def slow_write(conn, statement, rows):
            time.sleep(3)
            real_write(conn, statement, rows)
        loading._write = slow_write
    print("started", flush=True)
    outcome = loading.import_file(make_engine(url), "补报.csv", "学校代码,年度,在校生数\\nS4,2025,1050\\n".encode(),
                                  imported_by="clerk")
    print(outcome.status)
    print("\\n".join(i.message for i in outcome.issues))
""")

SUBMITTER = textwrap.dedent("""
    import sys, time
    from data_access import review
    from data_access.access import Principal
    from data_access.engine import make_engine

    url, slow = sys.argv[1], sys.argv[2] == "slow"
    if slow:  # hold the lock: recording the transition waits inside the transaction
        real_record = review._record
        def slow_record(*args, **kwargs):
            time.sleep(3)
            real_record(*args, **kwargs)
        review._record = slow_record
    print("started", flush=True)
    review.submit(make_engine(url), Principal("rep_xc", "新城区填报员", "reporter", "610102"), "610102", 2025, "school")
    print("submitted")
""")


def _start(script: str, url: str, slow: bool) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", script, url, "slow" if slow else "fast"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "started"
    return child


@pytest.mark.parametrize("holder", ["import", "submit"])
def test_import_and_submit_in_two_processes_never_interleave(engine, holder):
    populate(engine)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()  # DuckDB: let the children open the file
    first, second = (IMPORTER, SUBMITTER) if holder == "import" else (SUBMITTER, IMPORTER)
    slow_child = _start(first, url, slow=True)
    fast_child = _start(second, url, slow=False)
    outputs = {}
    for name, child in (("first", slow_child), ("second", fast_child)):
        out, err = child.communicate(timeout=180)
        assert child.returncode == 0, out + err
        outputs[name] = out
    imported_out = outputs["first" if holder == "import" else "second"]
    assert "submitted" in outputs["second" if holder == "import" else "first"]

    with engine.connect() as conn:
        submit = conn.execute(sa.select(review_events)).mappings().one()
        batch = conn.execute(sa.select(import_batches.c.status, import_batches.c.imported_at)).mappings().one()
        s4 = conn.execute(sa.select(school_year.c.enrollment).where(school_year.c.school_id == "S4",
                                                                     school_year.c.year == 2025)).scalar()
    if batch["status"] == "applied":
        # the import ran first and committed before the submission took the lock: the submission counted its row
        assert s4 == 1050 and submit["rows_reported"] == 7 and batch["imported_at"] <= submit["occurred_at"]
    else:
        # the submission ran first: the import, checked again under the lock, was refused and wrote nothing
        assert batch["status"] == "rejected" and s4 is None and submit["rows_reported"] == 6
        assert "新城区 2025 年学校年报已上报" in imported_out

    review.approve(engine, Principal("rev_xa", "西安市审核员", "reviewer", "610100"), "610102", 2025, "school")
    after = import_file(engine, "再补报.csv", "学校代码,年度,在校生数\nS4,2025,999\n".encode(), imported_by="clerk")
    assert after.status == "rejected" and "已由西安市审核通过" in after.issues[0].message


def test_two_reviewers_at_once_one_wins_and_the_other_is_told(engine):
    """Two reviewers of 西安市 approve (and return) the same submission at the same moment, in two threads: the
    state is read under the lock, so exactly one transition happens and the other is refused naming it."""
    populate(engine)
    review.submit(engine, Principal("rep_xc", "新城区填报员", "reporter", "610102"), "610102", 2025, "school")
    reviewers = [Principal("rev_a", "审核员甲", "reviewer", "610100"),
                 Principal("rev_b", "审核员乙", "admin", "610100")]
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def act(principal: Principal, approve: bool) -> None:
        start.wait()
        try:
            if approve:
                review.approve(engine, principal, "610102", 2025, "school")
            else:
                review.return_(engine, principal, "610102", 2025, "school", reason="请核对")
            results[principal.login] = "done"
        except review.ReviewRefused as refused:
            results[principal.login] = str(refused)

    threads = [threading.Thread(target=act, args=(reviewers[0], True)),
               threading.Thread(target=act, args=(reviewers[1], False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    winner = next(login for login, result in results.items() if result == "done")
    [loser_message] = [result for result in results.values() if result != "done"]
    final = "已审核" if winner == "rev_a" else "已退回"
    assert f"目前为「{final}」({winner} 于 " in loser_message
    with engine.connect() as conn:
        events = conn.execute(sa.select(review_events.c.action, review_events.c.actor)).all()
    assert sorted(actor for _, actor in events) == sorted(["rep_xc", winner])
