"""The network utilities of a container's shell (docs/network.md): `curl` and busybox `wget`
(http_clients.py), busybox `nc` (netcat.py), `nslookup`, `getent`, `host`, `ping` (dns_tools.py), over what resolver.py
shares. Which image has which utility, and whose nslookup, is data (engine/data/servers.json)."""
from __future__ import annotations

from .dns_tools import getent, host, nslookup, ping
from .http_clients import curl, wget
from .netcat import nc

NET_COMMANDS = {"curl": curl, "wget": wget, "nslookup": nslookup, "getent": getent, "host": host, "ping": ping, "nc": nc}
