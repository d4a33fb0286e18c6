"""``bvup <PROVISION_TOKEN> --region R [--api URL] [--bridge bvbr0 | --use-host-network] ...``

Registers this host with the fleet API, writes ``$BV_ROOT/etc/blockvisor.json`` (0600), then
downloads, verifies and installs the newest bundle and waits for blockvisord to be healthy.
No prompts (``-y`` is accepted for compatibility): everything comes from options or discovery.
Exit codes: 0 done; 1 failure outside (API, download, install); 2 bad input.
"""

from __future__ import annotations

import argparse
import logging
import sys

from bv_core.errors import BvError, InvalidInput, NotFound

from ._provision import Options, provision

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bvup", description="Provision this host and install BlockVisor")
    p.add_argument("token", nargs="?", metavar="PROVISION_TOKEN")
    p.add_argument("--region", help="region key of the host (required to provision)")
    p.add_argument("--api", default="https://api.prod.blockjoy.com", help="fleet API URL")
    p.add_argument("--bridge", "--ifa", dest="bridge", default="bvbr0", help="node bridge (default bvbr0)")
    p.add_argument("--create-bridge", action="store_true",
                   help="create the bridge with `ip` (host IP/prefix on it) when it does not exist")
    p.add_argument("--gateway-ip")
    p.add_argument("--host-ip")
    p.add_argument("--net-prefix", "--net_prefix", dest="net_prefix", type=int)
    p.add_argument("--available-ips", help="node IP pool: comma list of IPs, a-b ranges, CIDRs")
    p.add_argument("--port", type=int, default=9001)
    p.add_argument("--update", type=int, default=60, metavar="SECS",
                   help="self-update check interval; 0 disables it")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--skip-init", action="store_true", help="keep the existing config")
    group.add_argument("--skip-download", action="store_true", help="do not install a bundle")
    p.add_argument("--private", action="store_true", help="host private to the provisioning org")
    p.add_argument("--use-host-network", action="store_true",
                   help="no bridge: nodes share the host network (no CPU/memory limits)")
    p.add_argument("-y", "--yes", action="store_true", help="accepted for compatibility (no prompts)")
    p.add_argument("--service-manager", choices=["systemd", "process"], default=None)
    p.add_argument("--health-timeout", type=float, default=180.0, metavar="SECS")
    p.add_argument("--skip-requirements", action="store_true", help="passed on to the installer")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s bvup %(levelname)s %(message)s")
    opts = Options(
        token=args.token, region=args.region, api=args.api, bridge=args.bridge,
        create_bridge=args.create_bridge, gateway_ip=args.gateway_ip, host_ip=args.host_ip,
        net_prefix=args.net_prefix, available_ips=args.available_ips, port=args.port,
        update_secs=args.update or None, skip_init=args.skip_init, skip_download=args.skip_download,
        private=args.private, use_host_network=args.use_host_network,
        service_manager=args.service_manager, health_timeout=args.health_timeout,
        installer_args=["--skip-requirements"] if args.skip_requirements else [],
    )
    try:
        provision(opts)
    except (InvalidInput, NotFound) as err:
        print(f"bvup: {err}", file=sys.stderr)
        return 2
    except BvError as err:
        print(f"bvup: {err}", file=sys.stderr)
        return 1
    except ValueError as err:  # ip_address() of a bad --host-ip/--gateway-ip
        print(f"bvup: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
