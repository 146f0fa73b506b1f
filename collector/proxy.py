"""The client's address behind a reverse proxy. gunicorn takes the scheme (https) from a
trusted proxy's headers (`forwarded_allow_ips`) but leaves REMOTE_ADDR as the proxy's own
address, so every rate limit keyed by address (logins, survey answers) would count the
whole site as one client. This middleware takes the address the proxy appended to
X-Forwarded-For, only when the request comes from one of the same trusted addresses;
gunicorn.conf.py wraps the app with it."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class ClientAddressFromProxy:
    """REMOTE_ADDR from the last X-Forwarded-For hop (the one the proxy added), for
    requests from `trusted` addresses or networks ("*": any); others are left alone, so
    a client that reaches the server directly cannot choose its address."""

    def __init__(self, app: WSGIApplication, trusted: Iterable[str]) -> None:
        listed = list(trusted)
        self.app = app
        self.trust_any = "*" in listed
        self.networks = [ipaddress.ip_network(entry) for entry in listed if entry != "*"]
        self.behind_proxy = ProxyFix(app, x_for=1, x_proto=0, x_host=0, x_port=0, x_prefix=0)

    def trusts(self, peer: str) -> bool:
        if self.trust_any or not peer:  # no address: a Unix socket, reachable only locally
            return True
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.trusts(environ.get("REMOTE_ADDR", "")):
            return self.behind_proxy(environ, start_response)
        return self.app(environ, start_response)
