"""Rhai's standard library (core + standard packages) and the BlockVisor helper functions.

``install(registry)`` registers every function; each submodule installs one area:

    core        print/debug, to_string/to_debug, timestamps
    strings     string and char functions (and string ``+`` with any value)
    arrays      array functions, callbacks (filter/map/reduce/sort...)
    maps        object-map functions, ``to_json``
    blobs       BLOB functions
    numbers     parse_int/parse_float, conversions, int and float maths, ranges
    blockvisor  parse_hex/parse_json/to_json/system_time/parse_rfc3339/parse_time,
                sanitize_sh_param, HttpResponse/ShResponse and their methods

Contract with the evaluator beyond ``_registry``: a method that changes a string or char
receiver returns a ``ReceiverUpdate`` (see its docstring); ranges arrive as Python
``range`` objects (``a..=b`` as ``range(a, b + 1)``).
"""

from __future__ import annotations

from .._registry import FunctionRegistry
from . import arrays, blobs, blockvisor, core, maps, numbers, strings
from ._common import ReceiverUpdate, rhai_eq
from .blockvisor import HttpResponse, ShResponse, parse_json_object, sanitize_sh_param

__all__ = [
    "HttpResponse",
    "ReceiverUpdate",
    "ShResponse",
    "install",
    "parse_json_object",
    "rhai_eq",
    "sanitize_sh_param",
]


def install(registry: FunctionRegistry) -> None:
    """Register the whole standard library into ``registry``."""
    core.install(registry)
    strings.install(registry)
    arrays.install(registry)
    maps.install(registry)
    blobs.install(registry)
    numbers.install(registry)
    blockvisor.install(registry)
