"""Where a server-side URL fetch may connect: public addresses only, unless the deployment allows its own network.

On a team server the Capture page fetches whatever address an analyst types. Left
open, that reaches the server's own network: the cloud metadata endpoint
(169.254.169.254), the PostgreSQL catalog, an admin port on localhost. The check
runs where the socket is opened, on the address actually connected to, so a
redirect to an internal host or a name that resolves differently the second time
(DNS rebinding) is refused too. ``STANCEWATCH_FETCH_PRIVATE=1`` lifts it for an
intranet news source (and for tests against a local server).
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import urllib.request

ALLOW_PRIVATE = "STANCEWATCH_FETCH_PRIVATE"


class PrivateAddress(OSError):
    """The address a fetch would connect to lies in the server's own or a reserved network."""


def private_allowed() -> bool:
    """Whether this deployment lets fetches reach private, loopback and link-local addresses."""
    return os.environ.get(ALLOW_PRIVATE, "").strip().lower() in ("1", "true", "yes")


def is_public(address: str) -> bool:
    """Whether ``address`` (an IP) is a globally routable unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _connect(address: tuple[str, int], timeout: float | object = socket._GLOBAL_DEFAULT_TIMEOUT,
             source_address: tuple[str, int] | None = None) -> socket.socket:
    """socket.create_connection, refusing every resolved address that is not public (unless allowed)."""
    host, port = address
    if private_allowed():
        return socket.create_connection(address, timeout, source_address)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    public = [info for info in infos if is_public(info[4][0])]
    if not public:
        raise PrivateAddress(f"{host} is a private or reserved address ({infos[0][4][0]}); this server fetches public "
                             f"addresses only ({ALLOW_PRIVATE}=1 allows its own network)")
    family, kind, proto, _, target = public[0]
    sock = socket.socket(family, kind, proto)
    try:
        if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
            sock.settimeout(timeout)
        if source_address:
            sock.bind(source_address)
        sock.connect(target)
    except OSError:
        sock.close()
        raise
    return sock


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPSConnection, req, context=self._context)


def opener() -> urllib.request.OpenerDirector:
    """A urllib opener whose every connection, redirects included, goes through the address check."""
    return urllib.request.build_opener(_HTTPHandler, _HTTPSHandler)
