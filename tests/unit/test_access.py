"""Roles: the roles file, the permission ladder, the exposure guard, and every writer refusing a viewer itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from lib import access, store
from lib.access import AccessDenied, User
from lib.brief import Brief
from lib.brief import save as save_brief
from lib.capture import commit
from lib.ingest.acled import import_acled
from lib.ingest.bundle import import_bundle
from lib.sources import reliability
from lib.stances import stance
from tests.conftest import ROOT

VIEWER = User("vera@example.org", "viewer")
ANALYST = User("ana@example.org", "analyst")
NOBODY = User("stranger@example.org", "none")


def _roles(tmp_path: Path, text: str) -> access.RoleMap:
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    return access.load_roles(path)


def test_roles_file_users_groups_and_default(tmp_path: Path) -> None:
    roles = _roles(tmp_path, '''
default = "viewer"
[users]
"Ana@Example.org" = "analyst"
"boss@example.org" = "none"
[groups]
"stancewatch-admins" = "admin"
"desk" = "analyst"
''')
    assert roles.role_for({"email": "ana@example.org"}) == "analyst"  # emails match whatever their case
    assert roles.role_for({"email": "x@example.org", "groups": ["desk", "stancewatch-admins"]}) == "admin"  # the highest group
    assert roles.role_for({"email": "boss@example.org", "groups": ["stancewatch-admins"]}) == "none"  # a user entry wins
    assert roles.role_for({"sub": "someone"}) == "viewer"
    assert roles.role_for({"email": "ana@example.org", "email_verified": False, "sub": "x"}) == "viewer"  # typed, not proven
    user = roles.user({"sub": "123", "email": "ana@example.org", "name": "Ana"})
    assert user == User("ana@example.org", "analyst", "Ana")


def test_unknown_users_have_no_access_by_default(tmp_path: Path) -> None:
    roles = _roles(tmp_path, '[users]\n"ana@example.org" = "analyst"\n')
    assert roles.role_for({"email": "other@example.org"}) == "none"
    assert access.load_roles(None).role_for({"email": "ana@example.org"}) == "none"  # no file: nobody


def test_a_custom_groups_claim(tmp_path: Path) -> None:
    roles = _roles(tmp_path, 'groups_claim = "roles"\n[groups]\n"sw-analysts" = "analyst"\n')
    assert roles.role_for({"sub": "1", "roles": "sw-analysts"}) == "analyst"
    assert roles.role_for({"sub": "1", "groups": ["sw-analysts"]}) == "none"


@pytest.mark.parametrize(("text", "needle"), [
    ('[users]\n"a@x.org" = "superuser"\n', "'superuser' is not a role"),
    ('default = "root"\n', "default = 'root'"),
    ("users = 3\n", "[users] must be a table"),
    ("[users\n", "roles.toml"),
])
def test_a_bad_roles_file_is_refused_with_its_name_and_entry(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(access.RolesFileError, match=r"roles file .*roles\.toml") as refused:
        _roles(tmp_path, text)
    assert needle in str(refused.value)


def test_each_role_may_do_what_the_ones_below_may() -> None:
    admin = User("root@example.org", "admin")
    assert [VIEWER.can(p) for p in (access.READ, access.OWN_BRIEF, access.WRITE, access.ADMIN)] == [True, True, False, False]
    assert [ANALYST.can(p) for p in (access.READ, access.OWN_BRIEF, access.WRITE, access.ADMIN)] == [True, True, True, False]
    assert all(admin.can(p) for p in access.NEEDS)
    assert not any(NOBODY.can(p) for p in access.NEEDS)
    assert access.require(ANALYST, access.WRITE) == "ana@example.org"
    assert access.require("cli", access.ADMIN) == "cli"  # a local process is trusted
    with pytest.raises(AccessDenied, match=r"vera@example.org \(viewer\) may not grade.*analyst role"):
        access.require(VIEWER, access.WRITE, "grade")


@pytest.mark.parametrize(("address", "logins", "no_auth", "refused"), [
    ("127.0.0.1", False, False, False),
    ("localhost", False, False, False),
    ("::1", False, False, False),
    ("0.0.0.0", False, False, True),
    ("192.168.1.5", False, False, True),
    (None, False, False, True),  # Streamlit's default listens everywhere
    ("0.0.0.0", True, False, False),
    ("0.0.0.0", False, True, False),
])
def test_exposure_guard(address: str | None, logins: bool, no_auth: bool, refused: bool) -> None:
    problem = access.exposure_problem(address, logins, no_auth)
    assert (problem is not None) == refused
    if problem:
        assert "--no-auth" in problem and "[auth]" in problem


# -- every writer refuses a viewer itself, and names the user in the audit log ------------------------
def _grade(con: duckdb.DuckDBPyConnection, who: access.Actor) -> object:
    return reliability.set_analyst_grade(con, "nefes", "B2", "checked", who=who)


def _acknowledge(con: duckdb.DuckDBPyConnection, who: access.Actor) -> object:
    ids = list(con.execute("select statement_id from statements order by statement_id limit 2").fetchall())
    return stance.acknowledge_shifts(con, [i for (i,) in ids], who=who)


def _bundle(con: duckdb.DuckDBPyConnection, who: access.Actor) -> object:
    return import_bundle(con, ROOT / "data" / "seed", who=who)


def _dataset(con: duckdb.DuckDBPyConnection, who: access.Actor) -> object:
    return import_acled(con, ROOT / "tests" / "data" / "acled_current.csv", who)


def _capture(con: duckdb.DuckDBPyConnection, who: access.Actor) -> object:
    source = {"source_id": "wire-x", "name": "Wire X", "kind": "independent_media", "url": ""}
    return commit.commit(con, {"sources": [source]}, who=who)


WRITERS: dict[str, Callable[[duckdb.DuckDBPyConnection, access.Actor], object]] = {
    "grade": _grade, "acknowledge": _acknowledge, "bundle": _bundle, "dataset": _dataset, "capture": _capture,
}


def _state(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], int, int]:
    audit = con.execute("select count(*) from audit_log").fetchall()[0][0]
    return store.table_counts(con), audit, store.data_version(con)


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("user", [VIEWER, NOBODY], ids=["viewer", "none"])
def test_a_viewer_write_is_refused_by_the_writer(seeded: duckdb.DuckDBPyConnection, writer: str, user: User) -> None:
    before = _state(seeded)
    with pytest.raises(AccessDenied, match=re.escape(user.id)):
        WRITERS[writer](seeded, user)
    assert _state(seeded) == before


@pytest.mark.parametrize("writer", WRITERS)
def test_an_analyst_write_is_audited_under_their_name(seeded: duckdb.DuckDBPyConnection, writer: str) -> None:
    WRITERS[writer](seeded, ANALYST)
    # a re-import of what is there changes no row, so its name is in the imports log only
    names = {who for (who,) in seeded.execute("select who from audit_log union select who from imports").fetchall()}
    assert ANALYST.id in names


def test_briefs_of_ones_own_but_not_of_others(seeded: duckdb.DuckDBPyConnection) -> None:
    """A viewer saves and re-saves their own brief; overwriting someone else's needs the analyst role."""
    mine = Brief(title="Vera's notes")
    brief_id = save_brief(seeded, mine, who=VIEWER)
    save_brief(seeded, mine, who=VIEWER)
    assert seeded.execute("select who from briefs where brief_id = ?", [brief_id]).fetchall() == [(VIEWER.id,)]
    theirs = Brief(title="Ana's", brief_id=save_brief(seeded, Brief(title="Ana's"), who=ANALYST))
    before = _state(seeded)
    with pytest.raises(AccessDenied, match=r"overwrite the brief of ana@example\.org"):
        save_brief(seeded, theirs, who=VIEWER)
    assert _state(seeded) == before
    save_brief(seeded, Brief(title="edited", brief_id=brief_id), who=ANALYST)  # an analyst edits anyone's
    with pytest.raises(AccessDenied):
        save_brief(seeded, Brief(title="no"), who=NOBODY)
