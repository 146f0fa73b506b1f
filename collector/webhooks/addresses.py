"""Where a webhook may post: its host is resolved (socket.getaddrinfo) when the hook is
registered and again before each delivery, and refused when any address it resolves to is
private, loopback, link-local, reserved or otherwise not on the internet (unless the
installation allows such addresses: WEBHOOK_ALLOW_PRIVATE_URLS). A delivery connects to
the address that was checked, never to one resolved anew: a name that answers a public
address to the check and a private one a moment later (DNS rebinding) reaches nothing
inside."""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# A name of the loopback by definition (RFC 6761), whatever a resolver says of it.
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


class AddressRefused(Exception):
    """The host cannot be posted to: `unresolved` (no address) or `private`."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


def is_private(address: IPAddress) -> bool:
    """Not an address on the internet (an IPv4 address written as IPv6, mapped or in a
    6to4 prefix 2002::/16 that a relay forwards to it, is judged as itself)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local:  # fec0::/10: deprecated, yet routed inside by some
            return True
        address = address.ipv4_mapped or address.sixtofour or address
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_link_local
        or address.is_loopback
        or address.is_unspecified
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """The host's addresses, in the resolver's order (a literal address is itself)."""
    try:
        found = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise AddressRefused(host, "unresolved") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        # An IPv6 sockaddr may carry a zone ("fe80::1%eth0"): the address is before it.
        text = str(sockaddr[0]).split("%", 1)[0]
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise AddressRefused(host, "unresolved")
    return addresses


def checked_address(host: str, port: int, *, allow_private: bool) -> IPAddress:
    """The address to connect to: the host's first, once every address it resolves to
    has been checked (one private address among public ones refuses the host: a
    resolver picks among them as it likes)."""
    name = host.lower().rstrip(".")
    if not allow_private and (name in _LOOPBACK_NAMES or name.endswith(".localhost")):
        raise AddressRefused(host, "private")
    addresses = resolve(host, port)
    if not allow_private and any(is_private(a) for a in addresses):
        raise AddressRefused(host, "private")
    return addresses[0]
