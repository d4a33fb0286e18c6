"""Babel errors, by whose fault they are.

    BabelError (bv_core.errors.BvError)
    ├── BadRequest (InvalidInput)       the caller's input is wrong; the message names it
    ├── JobNotFound (NotFound)          no job of that name
    ├── FileMissing (NotFound)          a file the call needs does not exist
    ├── WrongState (Conflict)           the job/babel is not in a state that allows the call
    ├── ShuttingDown (Conflict)         shutdown_babel was called; job calls are refused
    ├── CommandFailed (ExternalError)   a command, HTTP call or mount failed
    └── CallTimeout (ExternalError)     a call ran out of time (the child was killed)
"""

from __future__ import annotations

from bv_core.errors import BvError, Conflict, ExternalError, InvalidInput, NotFound

__all__ = [
    "BabelError", "BadRequest", "CallTimeout", "CommandFailed", "FileMissing", "JobNotFound",
    "ShuttingDown", "WrongState",
]


class BabelError(BvError):
    """Base of babel's errors."""


class BadRequest(BabelError, InvalidInput):
    pass


class JobNotFound(BabelError, NotFound):
    pass


class FileMissing(BabelError, NotFound):
    pass


class WrongState(BabelError, Conflict):
    pass


class ShuttingDown(BabelError, Conflict):
    pass


class CommandFailed(BabelError, ExternalError):
    pass


class CallTimeout(BabelError, ExternalError):
    pass
