"""Engine-level native functions: print/debug, function pointers (Fn, call, curry),
``is_def_fn``/``is_def_var``, ``type_of``. The general library lives in ``_stdlib``."""

from __future__ import annotations

from typing import Any

from ._format import debug as debug_text
from ._ops import display
from ._registry import FunctionRegistry, NoMatch, RuntimeFault
from ._values import FnPtr, type_name

__all__ = ["install_builtins"]


def _print(ctx: Any, value: Any) -> None:
    ctx.emit_print(value if type(value) is str else display(value))


def _debug(ctx: Any, value: Any) -> None:
    ctx.emit_debug(debug_text(value))


def _fn(ctx: Any, name: Any) -> FnPtr:
    if type(name) is not str:
        raise NoMatch
    if not name or not (name[0].isalpha() or name[0] == "_") or not all(
            c.isalnum() or c == "_" for c in name):
        raise RuntimeFault(f"Invalid function name: '{name}'")
    return FnPtr(name)


def _call(ctx: Any, fp: Any, *args: Any) -> Any:
    if type(fp) is not FnPtr:
        raise NoMatch
    return ctx.call_fn_ptr(fp, list(args))


def _curry(ctx: Any, fp: Any, *args: Any) -> Any:
    if type(fp) is not FnPtr:
        raise NoMatch
    return FnPtr(fp.name, list(fp.curry) + list(args), fp.fn_def, fp.captured)


def _is_def_fn(ctx: Any, name: Any, arity: Any = None) -> bool:
    if type(name) is not str or (arity is not None and type(arity) is not int):
        raise NoMatch
    fns = ctx.inst.unit.fns
    if arity is None:
        return any(k[0] == name for k in fns)
    return (name, arity) in fns


def _is_def_var(ctx: Any, name: Any) -> bool:
    # Reached only through a function pointer (Fn("is_def_var")); direct calls are
    # resolved against the compile-time scope (see _compile_expr).
    if type(name) is not str:
        raise NoMatch
    return False


def _is_shared(ctx: Any, value: Any) -> bool:
    # Direct calls on variables are answered at compile time (see _compile_expr).
    return False


def _type_of(ctx: Any, value: Any) -> str:
    return type_name(value)


def _eval(ctx: Any, script: Any) -> Any:
    raise RuntimeFault("eval is not available in the plugin sandbox")


def install_builtins(registry: FunctionRegistry) -> None:
    registry.register("print", 1, _print)
    registry.register("debug", 1, _debug)
    registry.register("Fn", 1, _fn)
    registry.register_variadic("call", _call)
    registry.register_variadic("curry", _curry)
    registry.register("is_def_fn", 1, _is_def_fn)
    registry.register("is_def_fn", 2, _is_def_fn)
    registry.register("is_def_var", 1, _is_def_var)
    registry.register("type_of", 1, _type_of)
    registry.register("is_shared", 1, _is_shared)
    registry.register("eval", 1, _eval)
