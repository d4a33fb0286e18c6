"""Babel, the in-node agent: serves the Babel gRPC service and owns the node's jobs.

Public surface:
    main(argv)        the ``babel`` entry point
    serve(node, cmd)  run the server until SIGTERM/SIGINT
    JobsManager       the jobs registry and state owner
    __version__       reported by GetVersion
"""

from __future__ import annotations

import os

# grpc's fork handlers can crash a forked child (seen: `sh -c` dying of SIGSEGV) while gRPC
# threads run; babel forks sh, the job runner and file helpers and never uses gRPC in the child, so the handlers are turned off
# before grpc is first imported (as blockvisord does).
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

from ._main import main as main
from ._main import serve as serve
from ._manager import JobsManager as JobsManager
from ._version import __version__ as __version__

__all__ = ["JobsManager", "__version__", "main", "serve"]
