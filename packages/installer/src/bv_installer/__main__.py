"""``installer [--bundle-dir DIR] [--service-manager systemd|process] [--health-timeout S] ...``

Installs the bundle this zipapp sits in (``<bundle>/installer``). ``BV_ROOT`` relocates every
host path. Exit codes: 0 installed and healthy; 1 failed (host left on the previous version, or
on nothing for a first install); 2 bad input (usage, blacklisted version, bad bundle);
3 the rollback failed too: the host is broken and needs a manual fix (``opt/blockvisor/broken``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bv_core.errors import BvError, InvalidInput

from ._errors import BundleError, RollbackFailed
from ._installer import Installer, InstallerOptions
from ._layout import BundleDir, InstallPaths
from ._service import default_service_manager

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="installer", description="Install this BlockVisor bundle")
    p.add_argument("--bundle-dir", type=Path, default=None,
                   help="the unpacked bundle to install (default: the directory of this installer)")
    p.add_argument("--service-manager", choices=["systemd", "process"], default=None,
                   help="how to control blockvisord (default: $BV_SERVICE_MANAGER, else systemd "
                        "when it runs and BV_ROOT is /, else process)")
    p.add_argument("--notify-timeout", type=float, default=180.0, metavar="SECS")
    p.add_argument("--health-timeout", type=float, default=180.0, metavar="SECS")
    p.add_argument("--rollback-timeout", type=float, default=600.0, metavar="SECS")
    p.add_argument("--skip-requirements", action="store_true",
                   help="do not check kernel, tools and the bridge")
    return p


def _rollback_args(args: argparse.Namespace) -> tuple[str, ...]:
    """The same service manager, timeouts and checks for the backup's installer."""
    out = ["--notify-timeout", str(args.notify_timeout), "--health-timeout", str(args.health_timeout),
           "--rollback-timeout", str(args.rollback_timeout)]
    if args.service_manager:
        out += ["--service-manager", args.service_manager]
    if args.skip_requirements:
        out.append("--skip-requirements")
    return tuple(out)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s installer[%(process)d] %(levelname)s %(message)s")
    for name in ("notify_timeout", "health_timeout", "rollback_timeout"):
        if getattr(args, name) <= 0:
            print(f"installer: --{name.replace('_', '-')} must be > 0", file=sys.stderr)
            return 2
    paths = InstallPaths.from_env()
    try:
        bundle = BundleDir(args.bundle_dir) if args.bundle_dir else BundleDir.of_running_installer()
        service = default_service_manager(paths, args.service_manager)
        opts = InstallerOptions(notify_timeout=args.notify_timeout, health_timeout=args.health_timeout,
                                rollback_timeout=args.rollback_timeout,
                                check_requirements=not args.skip_requirements,
                                rollback_args=_rollback_args(args))
        Installer(bundle, paths, service, opts).run()
    except RollbackFailed as err:
        logging.getLogger("installer").critical("%s", err)
        return 3
    except (InvalidInput, BundleError) as err:
        logging.getLogger("installer").error("%s", err)
        return 2
    except BvError as err:
        logging.getLogger("installer").error("%s", err)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
