"""Exit 0 when a health URL returns 200, else 1. Used as the container health check.

Usage: python scripts/healthcheck.py [URL]   (default http://127.0.0.1:8000/healthz)

Django rejects a Host header that is not in ALLOWED_HOSTS with 400, so the request is sent
with the first concrete host named there. Only the standard library is used, so the check
starts fast and does not import Django.
"""

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def host_header(allowed_hosts: str) -> str:
    """Return a host name that ALLOWED_HOSTS accepts, or `localhost` for a wildcard."""
    for entry in allowed_hosts.split(","):
        entry = entry.strip()
        if not entry or entry == "*":
            continue
        # A leading dot allows the domain and its subdomains; the domain itself matches.
        return entry.lstrip(".")
    return "localhost"


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL
    request = urllib.request.Request(url, headers={"Host": host_header(os.environ.get("ALLOWED_HOSTS", ""))})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        print(f"Health check of {url} failed: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"Health check of {url} failed: status {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
