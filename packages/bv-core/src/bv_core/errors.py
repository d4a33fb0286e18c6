"""Root of the BlockVisor exception tree.

    BvError                       anything BlockVisor raises on purpose
    ├── InvalidInput              the caller's input is wrong (config, document, CLI arg, RPC field)
    │   └── ModelError            a document failed to parse/validate (names file, field path, expectation)
    ├── NotFound                  a named thing (node, image, job...) does not exist
    ├── Conflict                  the request clashes with current state (duplicate name, wrong state)
    ├── ExternalError             something outside broke (process, socket, disk, remote API)
    └── InternalError             a bug in BlockVisor

Packages derive their own families from these so callers can catch by fault.
"""

from __future__ import annotations

__all__ = ["BvError", "Conflict", "ExternalError", "InternalError", "InvalidInput", "ModelError", "NotFound"]


class BvError(Exception):
    """Base class; ``str(err)`` is a one-line message written for an operator."""


class InvalidInput(BvError):
    """The caller gave input that cannot be accepted."""


class ModelError(InvalidInput):
    """A document (file or payload) failed validation.

    ``source`` names the file or payload, ``path`` the field (``$.a.b[2]``), ``expected``
    what was wanted.
    """

    def __init__(self, source: str, path: str, expected: str) -> None:
        self.source = source
        self.path = path
        self.expected = expected
        where = f"{source}: {path}" if path else source
        super().__init__(f"{where}: {expected}")


class NotFound(BvError):
    """A named object does not exist."""


class Conflict(BvError):
    """The request conflicts with the current state."""


class ExternalError(BvError):
    """Something outside BlockVisor failed; the cause is in ``__cause__``."""


class InternalError(BvError):
    """A bug in BlockVisor."""
