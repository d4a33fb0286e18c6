"""``bv_core.rhai``: a sandboxed, pure-Python interpreter of the Rhai language as
BlockVisor plugins use it.

Layout: ``_lexer`` -> ``_parser`` (AST in ``_ast``) -> ``_compiler``/``_compile_expr``
(closures) run by ``_runtime``; ``_ops``/``_binops`` are the operators, ``_stdlib`` the
library, ``_format`` the text forms, ``_modules`` the file module resolver, ``_engine``
the public Engine.

Embedding, in short::

    engine = Engine(module_dir=plugin_dir)            # Limits() by default
    engine.register_fn("node_env", host.node_env)     # plain callables, positional args
    ast = engine.compile_file(plugin_dir / "main.rhai")
    config = engine.call_fn(ast, "plugin_config", [])  # re-runs the top level first

Host functions raise ``RuntimeFault(message, thrown=value)`` for errors a script can
catch (``catch (e)`` gets ``thrown``, else the message); any other exception also becomes
a catchable error "name: text". Functions that need the call context (to call function
pointers, check sizes) register on ``engine.registry`` as ``fn(ctx, *args)``; a native
method that changes an immutable receiver (string, char, number) returns
``ReceiverUpdate(new_value, result)`` and the evaluator writes the new value back. Time
spent in ``register_fn`` functions is not charged to ``Limits.timeout``.
"""

from __future__ import annotations

from ._ast import AST as AST
from ._engine import Engine as Engine
from ._errors import RhaiError as RhaiError
from ._errors import RhaiLimitError as RhaiLimitError
from ._errors import RhaiParseError as RhaiParseError
from ._errors import RhaiRuntimeError as RhaiRuntimeError
from ._json import from_json_value as from_json_value
from ._json import to_json_value as to_json_value
from ._limits import Limits as Limits
from ._registry import FunctionRegistry as FunctionRegistry
from ._registry import NoMatch as NoMatch
from ._registry import RuntimeFault as RuntimeFault
from ._values import Char as Char
from ._values import FnPtr as FnPtr
from ._values import Timestamp as Timestamp

__all__ = [
    "AST",
    "Char",
    "Engine",
    "FnPtr",
    "FunctionRegistry",
    "Limits",
    "NoMatch",
    "RhaiError",
    "RhaiLimitError",
    "RhaiParseError",
    "RhaiRuntimeError",
    "RuntimeFault",
    "Timestamp",
    "from_json_value",
    "to_json_value",
]
