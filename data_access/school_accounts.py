"""One account per school of a county (`mhmonitor user add-schools`): login = 学校标识码, display name = the
school's name, role school, a random initial password the school must change at its first sign-in.

Only the password's argon2id hash is stored (accounts.add_user); the clear passwords exist once, in what
this returns, for the caller to write to the one hand-out file. Running it again creates accounts only for
schools that have none.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from data_access import accounts
from data_access.access import SCHOOL_ROLE, Principal, region_row, require
from data_access.completeness import open_in
from data_access.schema import schools, users
from data_access.years import last_ended_school_year

# No 0/O, 1/l/I: the school types it from a printed sheet.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 14


@dataclass(frozen=True)
class NewSchoolAccount:
    login: str
    display_name: str
    county_adcode: str
    initial_password: str


def initial_password() -> str:
    """A random password of PASSWORD_LENGTH characters with letters and digits (passes check_password)."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def schools_without_account(engine: sa.Engine, county: str, year: int) -> list[tuple[str, str]]:
    """(school_id, name) of the county's schools open in `year` that have no account under their code."""
    query = (sa.select(schools.c.school_id, schools.c.name)
             .where(schools.c.county_adcode == county, open_in(schools, year),
                    ~sa.exists(sa.select(users.c.login).where(users.c.login == schools.c.school_id)))
             .order_by(schools.c.school_id))
    with engine.connect() as conn:
        return [(sid, name) for sid, name in conn.execute(query).all()]


def add_school_accounts(engine: sa.Engine, county: str, principal: Principal,
                        year: int | None = None) -> list[NewSchoolAccount]:
    """Create the missing school accounts of a county (the schools open in the current reporting year)."""
    with engine.connect() as conn:
        row = region_row(conn, county)
    if row is None or row.get("level") != "county":
        raise accounts.AccountError(f"「{county[:12]}」不是数据仓库中的县(区)代码: 学校账号按县(区)创建")
    require(principal, "manage_users", row)
    year = year or last_ended_school_year()
    created = []
    for school_id, name in schools_without_account(engine, county, year):
        password = initial_password()
        accounts.add_user(engine, school_id, role=SCHOOL_ROLE, region=school_id, password=password,
                          display_name=name[:accounts.MAX_NAME], must_change_password=True)
        created.append(NewSchoolAccount(school_id, name, county, password))
    return created
