"""The container's health probe: GET /healthz on this container's gunicorn; exit 0 on 200.

Standard library only (the image has no curl). The Host header is the first of
ALLOWED_HOSTS (a leading dot dropped), so Django accepts it; X-Forwarded-Proto says https,
as the proxy would. Usage: python docker/healthcheck.py (PORT, default 8000).
"""

import os
import sys
import urllib.error
import urllib.request

hosts = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
port = os.environ.get("PORT", "8000")
request = urllib.request.Request(  # noqa: S310 - a fixed http URL on the loopback
    f"http://127.0.0.1:{port}/healthz",
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as error:
    print(f"healthz: {error}", file=sys.stderr)
    sys.exit(1)
