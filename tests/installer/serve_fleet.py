"""A fake fleet API + bundle store as their own process (for bvup runs inside a network namespace).

    python -m tests.installer.serve_fleet <store_dir> <version>...

Serves ``<store_dir>/<version>/bvd-bundle.tgz`` over HTTP and the fleet API with those bundle
versions, both on 127.0.0.1 of the namespace it runs in; prints the API URL on one line, then
runs until stdin closes, and prints the JSON list of registered host ids on exit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.installer.fleet import BundleFleetApi, file_server


def main() -> int:
    store, versions = Path(sys.argv[1]), sys.argv[2:]
    with file_server(store) as url, BundleFleetApi.in_thread() as api:
        assert isinstance(api, BundleFleetApi)
        api.bundles = list(versions)
        api.bundle_urls = {v: f"{url}/{v}/bvd-bundle.tgz" for v in versions}
        print(api.url, flush=True)
        sys.stdin.read()
        print(json.dumps(list(api.hosts)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
