"""A throwaway PostgreSQL for the team-store tests: ``initdb`` in a temporary folder, a server on a Unix socket only.

Debian's `postgresql` package puts its programs in /usr/lib/postgresql/<version>/bin, not on PATH; both are
searched. initdb and postgres refuse to run as root, so as root they run as the `postgres` user Debian creates
(``runuser``). Without a server the tests that need one skip, loudly; with $STANCEWATCH_REQUIRE_POSTGRES=1
(CI) a missing server is an error.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REQUIRE_ENV = "STANCEWATCH_REQUIRE_POSTGRES"
SERVER_USER = "postgres"


def programs() -> Path | None:
    """The folder holding initdb and postgres: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and Path(found).resolve().with_name("postgres").exists():
        return Path(found).resolve().parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return debian[-1].parent if debian else None


def _as_server_user() -> list[str]:
    """The command prefix that runs a server program: nothing, or ``runuser -u postgres --`` when we are root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError as exc:
        raise RuntimeError(f"PostgreSQL will not run as root and there is no '{SERVER_USER}' user to run it as") from exc
    return ["runuser", "-u", SERVER_USER, "--"]


@dataclass
class Server:
    """A running throwaway server: its socket folder, and the databases made on it."""

    bin: Path
    folder: Path
    names: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def socket(self) -> str:
        return str(self.folder)

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        """A client program (createdb, pg_dump, psql …) against this server as its superuser."""
        return subprocess.run([str(self.bin / program), "-h", self.socket, "-U", SERVER_USER, *args],
                              check=True, capture_output=True, text=True, timeout=120)

    def new_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template``; its libpq connection string."""
        name = f"lake{next(self.names)}"
        self.run("createdb", *(["-T", template] if template else []), name)
        return self.conninfo(name)

    def conninfo(self, name: str) -> str:
        return f"dbname={name} host={self.socket} user={SERVER_USER}"

    def stop(self) -> None:
        subprocess.run([*_as_server_user(), str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Server:
    """initdb in a new temporary folder and start postgres on a socket there, no TCP; raise when it cannot."""
    bin_dir = programs()
    if bin_dir is None:
        raise FileNotFoundError("no PostgreSQL server: neither initdb on PATH nor /usr/lib/postgresql/*/bin "
                                "(apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="swpg-", dir="/tmp"))  # short: a socket path has at most 107 bytes
    prefix = _as_server_user()
    if prefix:
        shutil.chown(folder, SERVER_USER)
    try:
        subprocess.run([*prefix, str(bin_dir / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", SERVER_USER,
                        "-E", "UTF8", "--locale", "C"], check=True, capture_output=True, text=True, timeout=120)
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-w",
                        "-o", f"-k {folder} -c listen_addresses='' -c fsync=off", "start"],
                       check=True, capture_output=True, text=True, timeout=120)
    except subprocess.CalledProcessError as exc:
        log = folder / "server.log"
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc.stdout}"
                           f"{log.read_text() if log.exists() else ''}") from exc
    return Server(bin_dir, folder)
