"""Native (Python) functions callable from Rhai, and how calls are resolved.

A native function is a Python callable ``fn(ctx, *args)``; ``ctx`` is the CallContext of
the call site. Functions are registered under (name, arity); several Python callables may
share a (name, arity) and are tried in registration order: a callable that does not accept
the argument types raises ``NoMatch`` and the next one is tried. If none matches, the
evaluator reports Rhai's "Function not found: name (type, type)" error.

Method-call syntax ``x.f(a)`` resolves exactly like ``f(x, a)``; the first argument is the
receiver and may be mutated in place (``push``, ``remove``, ``+=`` on strings is done by the
evaluator). Property access ``x.prop`` on a custom type resolves ``get$prop(x)``, assignment
``x.prop = v`` resolves ``set$prop(x, v)`` (Rhai's getter/setter naming); indexing on a
custom type resolves ``index$get$`` / ``index$set$``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["CallContext", "FunctionRegistry", "NativeFn", "NoMatch", "RuntimeFault"]


class NoMatch(Exception):
    """Raised by a native function whose parameter types do not fit the arguments."""


class RuntimeFault(Exception):
    """Raised by a native function for a Rhai runtime error (e.g. index out of bounds).

    The evaluator turns it into a positioned RhaiRuntimeError with the call trace. The
    message is Rhai's wording where the book gives one. A script's ``catch (e)`` receives
    ``thrown`` when given (any Rhai value, e.g. a response object), else the message.
    """

    def __init__(self, message: str, thrown: Any = None) -> None:
        super().__init__(message)
        self.thrown = thrown


class CallContext(Protocol):
    """What a native function may ask of the evaluator."""

    def call_fn_ptr(self, fn: Any, args: list[Any]) -> Any:
        """Call a FnPtr (closure or named function) with ``args``; curried args go first."""
        ...

    def call_fn(self, name: str, args: list[Any]) -> Any:
        """Call a script-defined or native function by name."""
        ...

    def check_size(self, value: Any) -> None:
        """Raise if ``value`` breaks the engine's string/array/map size limits."""
        ...

    def emit_print(self, text: str) -> None:
        """Send text to ``print`` output (the plugin log)."""
        ...

    def emit_debug(self, text: str) -> None:
        """Send text to ``debug`` output (the plugin log)."""
        ...


NativeFn = Callable[..., Any]


class FunctionRegistry:
    """Native functions keyed by (name, arity)."""

    def __init__(self) -> None:
        self._fns: dict[tuple[str, int], list[NativeFn]] = {}
        self._variadic: dict[str, list[NativeFn]] = {}
        # lookup() results; cleared on every registration.
        self._cache: dict[tuple[str, int], tuple[NativeFn, ...]] = {}

    def register(self, name: str, arity: int, fn: NativeFn) -> None:
        """Add ``fn(ctx, *args)`` taking exactly ``arity`` Rhai arguments."""
        self._fns.setdefault((name, arity), []).append(fn)
        self._cache.clear()

    def register_variadic(self, name: str, fn: NativeFn) -> None:
        """Add ``fn(ctx, *args)`` taking any number of arguments (tried after exact arity)."""
        self._variadic.setdefault(name, []).append(fn)
        self._cache.clear()

    def candidates(self, name: str, arity: int) -> list[NativeFn]:
        return self._fns.get((name, arity), []) + self._variadic.get(name, [])

    def lookup(self, name: str, arity: int) -> tuple[NativeFn, ...]:
        """Like candidates(), cached: the evaluator calls this on every native call."""
        key = (name, arity)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = tuple(self.candidates(name, arity))
        return found

    def has(self, name: str) -> bool:
        return name in self._variadic or any(k[0] == name for k in self._fns)

    def copy(self) -> FunctionRegistry:
        new = FunctionRegistry()
        new._fns = {k: list(v) for k, v in self._fns.items()}
        new._variadic = {k: list(v) for k, v in self._variadic.items()}
        return new
