"""``blockvisord [--foreground] [--log-level L] [--config PATH] [--bundle-dir DIR]``: the daemon.

Without ``--foreground`` the daemon detaches (fork + setsid) and the command returns once the
child runs; under systemd or in tests use ``--foreground``. ``BV_ROOT`` relocates every path;
``BV_BUNDLE_DIR`` (or ``--bundle-dir``) names the directory holding the ``babel`` and
``babel_job_runner`` zipapps copied into nodes; ``BV_RECOVERY_INTERVAL`` (seconds) shortens the
recovery loop for tests.
"""

from __future__ import annotations

import os

# grpc's fork handlers crash children the daemon forks (ip, bwrap, nsenter) while gRPC threads
# run; the daemon never uses gRPC in a forked child, so turn them off before grpc is imported.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import uvloop  # noqa: E402

from bv_core.errors import BvError  # noqa: E402
from bv_daemon.daemon import DaemonOptions, run_daemon  # noqa: E402
from bv_daemon.logging_setup import configure_logging  # noqa: E402
from bv_daemon.recovery import DEFAULT_INTERVAL  # noqa: E402

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="blockvisord", description="BlockVisor host daemon")
    p.add_argument("--foreground", action="store_true", help="stay attached to the terminal")
    p.add_argument("--log-level", default=os.environ.get("BV_LOG", "info"),
                   help="error, warn, info, debug or trace (default: $BV_LOG or info)")
    p.add_argument("--config", type=Path, default=None,
                   help="host config file (default: $BV_ROOT/etc/blockvisor.json)")
    p.add_argument("--bundle-dir", type=Path, default=None,
                   help="directory with the babel and babel_job_runner zipapps (default: $BV_BUNDLE_DIR)")
    p.add_argument("--platform", default="bwrap", choices=["bwrap", "apptainer"])
    p.add_argument("--recovery-interval", type=float,
                   default=float(os.environ.get("BV_RECOVERY_INTERVAL", DEFAULT_INTERVAL)),
                   help="seconds between recovery passes (default 15)")
    p.add_argument("--recovery-backoff-scale", type=float,
                   default=float(os.environ.get("BV_RECOVERY_BACKOFF_SCALE", "1")),
                   help="multiply the recovery backoff delays (tests use a small value)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        configure_logging(args.log_level)
    except ValueError as err:
        print(f"blockvisord: {err}", file=sys.stderr)
        return 2
    if args.recovery_interval <= 0:
        print(f"blockvisord: --recovery-interval must be > 0, got {args.recovery_interval}", file=sys.stderr)
        return 2
    if not args.foreground and os.fork() != 0:
        return 0
    if not args.foreground:
        os.setsid()
    opts = DaemonOptions(config=args.config, bundle_dir=args.bundle_dir, log_level=args.log_level,
                         platform=args.platform, recovery_interval=args.recovery_interval,
                         backoff_scale=args.recovery_backoff_scale)
    try:
        uvloop.run(run_daemon(opts))
    except BvError as err:
        print(f"blockvisord: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
