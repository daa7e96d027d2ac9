"""Who may do what: the signed-in user, the roles file that maps identities to roles, and the check every writer makes.

The dashboard signs users in with Streamlit's OpenID Connect login (docs/DEPLOY.md); this module never sees a
token, only the identity's claims. A role is looked up in the roles file the admin edits ($STANCEWATCH_ROLES):

    default = "none"                       # anyone not listed below: no access
    groups_claim = "groups"                # the claim that lists a user's groups (optional)
    [users]
    "ana@example.org" = "analyst"
    [groups]
    "stancewatch-admins" = "admin"

The check lives in the functions that write (``require`` at their top), not only in the views that hide buttons,
so a viewer's write is refused whatever calls it. A plain string as the actor is a trusted local process (the CLI,
tests, benchmarks): whoever runs Python against the store file can write it anyway, so only a dashboard
:class:`User` is checked.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROLES = ("none", "viewer", "analyst", "admin")
"""Each role may do everything the roles before it may."""

READ = "read"
"""See the data and export it."""
OWN_BRIEF = "brief"
"""Save briefs of one's own."""
WRITE = "write"
"""Capture, edit, grade, acknowledge, import."""
ADMIN = "admin"
"""Users and roles; undo of another user's import."""

NEEDS: dict[str, str] = {READ: "viewer", OWN_BRIEF: "viewer", WRITE: "analyst", ADMIN: "admin"}
"""The least role each permission needs."""

LOCAL_NOTICE = "Local use: no login; everyone who reaches this port can write."


class AccessDenied(PermissionError):
    """A user tried something their role does not allow; the message names the user, the role and what it needs."""


class RolesFileError(ValueError):
    """The roles file cannot be read or names an unknown role; the message names the file and the entry."""


@dataclass(frozen=True)
class User:
    """A signed-in user: ``id`` (email, else the OIDC subject) is what the audit log records."""

    id: str
    role: str
    name: str = ""

    def can(self, permission: str) -> bool:
        """Whether this user's role allows ``permission`` (READ, OWN_BRIEF, WRITE, ADMIN)."""
        return ROLES.index(self.role) >= ROLES.index(NEEDS[permission])


LOCAL_USER = User("local", "admin", "Local user")
"""The one user of an app without logins (the embedded default on 127.0.0.1)."""

Actor = User | str
"""Who writes: a dashboard user (checked), or a trusted local process named by a string (the CLI, tests)."""


def require(actor: Actor, permission: str, doing: str = "") -> str:
    """The name the audit log records for ``actor``; raises AccessDenied when a user's role does not allow ``permission``."""
    if isinstance(actor, str):
        return actor
    if not actor.can(permission):
        what = doing or {READ: "read", OWN_BRIEF: "save briefs", WRITE: "change the store", ADMIN: "administer"}[permission]
        raise AccessDenied(f"{actor.id} ({actor.role}) may not {what}: that needs the {NEEDS[permission]} role")
    return actor.id


def require_own(actor: Actor, owner: str | None, permission: str, doing: str) -> str:
    """Like :func:`require`, but someone else's thing (``owner`` not this actor) needs ``permission``."""
    name = require(actor, OWN_BRIEF, doing)
    if owner is not None and owner != name:
        require(actor, permission, f"{doing} of {owner}")
    return name


@dataclass(frozen=True)
class RoleMap:
    """The roles file, read: explicit users first, then the highest role among the user's groups, else ``default``."""

    users: Mapping[str, str]
    groups: Mapping[str, str]
    default: str = "none"
    groups_claim: str = "groups"

    def role_for(self, claims: Mapping[str, object]) -> str:
        """The role of an identity from its claims (``email`` or ``sub``, and the groups claim).

        An email the provider says is not verified (``email_verified: false``) names nobody: anyone could type it.
        """
        email = claims.get("email") if claims.get("email_verified") is not False else None
        for key in (email, claims.get("sub")):
            if isinstance(key, str) and key.lower() in self.users:
                return self.users[key.lower()]
        groups = claims.get(self.groups_claim) or []
        groups = [groups] if isinstance(groups, str) else groups
        found = [self.groups[g] for g in groups if isinstance(g, str) and g in self.groups]
        return max(found, key=ROLES.index) if found else self.default

    def user(self, claims: Mapping[str, object]) -> User:
        """The :class:`User` for these claims; its id is the email when there is one, else the subject."""
        ident = claims.get("email") or claims.get("sub") or "unknown"
        return User(str(ident), self.role_for(claims), str(claims.get("name") or ident))


NO_ROLES = RoleMap({}, {})
"""Without a roles file nobody signed in has access."""


def load_roles(path: str | Path | None) -> RoleMap:
    """Read the roles file (TOML, see the module docstring); None means no file, so no access for anyone."""
    if not path:
        return NO_ROLES
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RolesFileError(f"roles file {path}: {exc}") from exc

    def role(value: object, where: str) -> str:
        if value not in ROLES:
            raise RolesFileError(f"roles file {path}: {where} = {value!r} is not a role (one of {', '.join(ROLES)})")
        return str(value)

    def table(name: str, lower: bool) -> dict[str, str]:
        entries = data.get(name, {})
        if not isinstance(entries, dict):
            raise RolesFileError(f"roles file {path}: [{name}] must be a table of \"name\" = \"role\"")
        return {(k.lower() if lower else k): role(v, f"[{name}] {k!r}") for k, v in entries.items()}

    claim = data.get("groups_claim", "groups")
    if not isinstance(claim, str):
        raise RolesFileError(f"roles file {path}: groups_claim must be a claim name")
    return RoleMap(table("users", True), table("groups", False), role(data.get("default", "none"), "default"), claim)


def exposure_problem(address: str | None, logins: bool, no_auth: bool) -> str | None:
    """Why the app must not serve on ``address`` (None when it may): without logins only loopback is safe.

    Streamlit listens on every interface when no address is set, so an unset address counts as exposed.
    """
    if logins or no_auth or _loopback(address):
        return None
    where = f"address {address}" if address else "every network interface (no --server.address)"
    return (f"Stancewatch refuses to serve on {where} without logins: anyone who reaches the port could change the store. "
            "Configure [auth] in .streamlit/secrets.toml (docs/DEPLOY.md), serve on --server.address 127.0.0.1, "
            "or accept the risk with `-- --no-auth`.")


def _loopback(address: str | None) -> bool:
    if not address:
        return False
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False
