"""The public ``Engine``: compile, run, call functions, register host functions."""

from __future__ import annotations

import inspect
import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import _stdlib
from ._ast import AST
from ._builtins import install_builtins
from ._compiler import compile_ast
from ._errors import RhaiError, RhaiLimitError, RhaiParseError, RhaiRuntimeError
from ._limits import Limits
from ._modules import ModuleLoader
from ._ops import not_found
from ._parser import parse
from ._registry import FunctionRegistry
from ._runtime import BreakFlow, ContinueFlow, Instance, ReturnFlow, Runtime, Unit
from ._values import deep_copy

__all__ = ["Engine"]

_log = logging.getLogger("bv_core.rhai")
# Each Rhai call level costs a handful of Python frames; the call-depth limit, not
# Python's recursion limit, must be what stops deep recursion.
_MIN_RECURSION = 20_000


class Engine:
    """A sandboxed Rhai engine: no I/O except the registered host functions.

    ``on_print``/``on_debug`` receive the text of ``print``/``debug`` (default: logging).
    One engine may run scripts from several threads; each call gets its own runtime.
    """

    def __init__(self, *, limits: Limits | None = None, module_dir: Path | None = None) -> None:
        self.limits = limits or Limits()
        self.registry = FunctionRegistry()
        install_builtins(self.registry)
        _stdlib.install(self.registry)
        self.module_dir = Path(module_dir) if module_dir is not None else None
        self._loader = (ModuleLoader(self.module_dir, self._compile_unit)
                        if self.module_dir is not None else None)
        self.on_print: Callable[[str], None] = lambda text: _log.info("%s", text)
        self.on_debug: Callable[[str], None] = lambda text: _log.debug("%s", text)
        self._lock = threading.Lock()

    # -- host functions -------------------------------------------------------------
    def register_fn(self, name: str, fn: Callable[..., Any], arity: int | None = None,
                    *, host_io: bool = True) -> None:
        """Register a plain Python callable (positional args, no context) as ``name``.

        ``arity`` defaults to the callable's number of positional parameters. Raise
        ``RuntimeFault`` for a script-catchable error; other exceptions also become
        catchable runtime errors. With ``host_io`` (the default) the time spent in the
        function is not charged to ``Limits.timeout``: host I/O (run_jrpc, run_sh...) has
        its own timeouts. Functions registered directly on ``registry`` are charged.
        """
        if arity is None:
            try:
                params = inspect.signature(fn).parameters.values()
            except (TypeError, ValueError):
                raise TypeError(f"cannot infer the arity of {fn!r} for '{name}': pass arity=") from None
            arity = sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))

        def native(ctx: Any, *args: Any) -> Any:
            return fn(*args)

        def host_native(ctx: Any, *args: Any) -> Any:
            start = time.monotonic()
            try:
                return fn(*args)
            finally:
                ctx.rt.host_time += time.monotonic() - start

        self.registry.register(name, arity, host_native if host_io else native)

    # -- compiling ------------------------------------------------------------------
    def compile(self, source: str, path: str = "<script>") -> AST:
        """Parse and compile ``source``; raises RhaiParseError with file:line:col."""
        if sys.getrecursionlimit() < _MIN_RECURSION:
            sys.setrecursionlimit(_MIN_RECURSION)
        try:
            ast = parse(source, path, self.limits.max_expr_depth,
                        self.limits.max_function_expr_depth)
            ast.compiled = compile_ast(ast, self.limits)
        except RecursionError:
            raise RhaiParseError("script nested too deeply to compile (max_expr_depth)",
                                 (path, 1, 1)) from None
        return ast

    def compile_file(self, path: str | Path) -> AST:
        p = Path(path)
        try:
            source = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise RhaiRuntimeError(f"cannot read script: {e}", (str(p), 0, 0)) from None
        return self.compile(source, str(p))

    def _compile_unit(self, source: str, path: str) -> Unit:
        unit: Unit = self.compile(source, path).compiled
        return unit

    def _unit(self, ast: AST) -> Unit:
        if ast.compiled is None:
            ast.compiled = compile_ast(ast, self.limits)
        unit: Unit = ast.compiled
        return unit

    # -- running --------------------------------------------------------------------
    def _runtime(self) -> Runtime:
        if sys.getrecursionlimit() < _MIN_RECURSION:
            sys.setrecursionlimit(_MIN_RECURSION)
        return Runtime(self.registry, self.limits, self._loader, self.on_print, self.on_debug)

    def _run_main(self, rt: Runtime, unit: Unit) -> tuple[Instance, Any]:
        inst = Instance(unit)
        rt.root = inst
        try:
            value = rt.invoke(unit.main, [], inst)
        except ReturnFlow as r:  # pragma: no cover - invoke handles it
            value = r.value
        except (BreakFlow, ContinueFlow):  # pragma: no cover - rejected at compile time
            value = None
        except RecursionError:
            raise RhaiLimitError("Stack overflow (max_call_depth) at top level") from None
        return inst, value

    def eval(self, source: str, path: str = "<script>") -> Any:
        """Compile and run ``source``; returns the value of the last statement."""
        return self.run(self.compile(source, path))

    def run(self, ast: AST) -> Any:
        """Run the top-level statements of ``ast``; returns the last statement's value."""
        rt = self._runtime()
        return self._run_main(rt, self._unit(ast))[1]

    def call_fn(self, ast: AST, name: str, args: list[Any] | None = None) -> Any:
        """Call script function ``name``: like the original, the top-level statements run
        first in a fresh scope (constants, imports), then the function."""
        args = [deep_copy(a) for a in (args or [])]
        unit = self._unit(ast)
        cfn = unit.fns.get((name, len(args)))
        if cfn is None:
            raise RhaiRuntimeError(not_found(name, args).message, (ast.path, 0, 0))
        rt = self._runtime()
        inst, _ = self._run_main(rt, unit)
        try:
            return rt.invoke(cfn, args, inst)
        except RecursionError:
            raise RhaiLimitError(f"Stack overflow (max_call_depth) in fn '{name}'") from None
        except RhaiError as e:
            if e.pos is None:
                e.pos = (ast.path, 0, 0)
            raise

    def has_fn(self, ast: AST, name: str, arity: int) -> bool:
        return (name, arity) in ast.fns

    def fn_names(self, ast: AST) -> list[tuple[str, int]]:
        """Script functions of ``ast`` as (name, arity), sorted."""
        return sorted(ast.fns)
