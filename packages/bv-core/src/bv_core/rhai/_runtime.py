"""Run-time machinery shared by compiled code: frames, calls, limits, property/index access.

A compiled function runs on a *frame*: a Python list whose slot 0 is the ``Ctx`` (runtime,
module instance, ``this``) and whose other slots hold local variables. Variables captured
by closures live in ``Cell``s so that the closure and the defining scope share them, as
Rhai's shared values do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._errors import Position, RhaiError, RhaiLimitError, RhaiRuntimeError
from ._limits import Limits
from ._ops import display, not_found
from ._registry import FunctionRegistry, NoMatch, RuntimeFault
from ._values import Char, FnPtr, type_name

if TYPE_CHECKING:
    from ._modules import ModuleLoader

from ._stdlib._common import ReceiverUpdate

__all__ = [
    "BreakFlow", "CFn", "Cell", "ContinueFlow", "Ctx", "Instance", "ReceiverUpdate",
    "ReturnFlow", "Runtime", "Unit", "index_get", "index_set", "prop_get", "prop_set",
]

Frame = list[Any]
# Operations between two checks of the clock (and of max_operations).
_CHECK_EVERY = 256
Code = Callable[[Frame], Any]


class Cell:
    """A variable shared between a scope and the closures that captured it."""

    __slots__ = ("v",)

    def __init__(self, v: Any = None) -> None:
        self.v = v


class BreakFlow(Exception):
    def __init__(self, value: Any = None) -> None:
        self.value = value


class ContinueFlow(Exception):
    pass


class ReturnFlow(Exception):
    def __init__(self, value: Any = None) -> None:
        self.value = value


class CFn:
    """A compiled script function (or closure, or a unit's top-level code)."""

    __slots__ = ("name", "nparams", "ncaptured", "nslots", "body", "cell_params", "pos", "private")

    def __init__(self, name: str, nparams: int, pos: Position, private: bool = False) -> None:
        self.name = name
        self.nparams = nparams
        self.ncaptured = 0
        self.nslots = 1
        self.body: Code = _unit_body
        self.cell_params: tuple[int, ...] = ()
        self.pos = pos
        self.private = private


def _unit_body(fr: Frame) -> Any:
    return None


class Unit:
    """A compiled AST: its functions by (name, arity) and its top-level code."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fns: dict[tuple[str, int], CFn] = {}
        self.main = CFn("<top level>", 0, (path, 1, 1))


class Instance:
    """One evaluation of a unit: its global constants, imports and exports."""

    __slots__ = ("unit", "globals", "imports", "exports", "ctx")

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.globals: dict[str, Any] = {}
        self.imports: dict[str, Instance] = {}
        self.exports: dict[str, Any] = {}
        # The Ctx of frames without ``this`` in this instance (made by the first call).
        self.ctx: Ctx | None = None


class Ctx:
    """Slot 0 of every frame; also the CallContext handed to native functions."""

    __slots__ = ("rt", "inst", "this")

    def __init__(self, rt: Runtime, inst: Instance, this: Cell | None = None) -> None:
        self.rt = rt
        self.inst = inst
        self.this = this

    def call_fn_ptr(self, fn: Any, args: list[Any]) -> Any:
        return self.rt.call_ptr(self, fn, list(args))

    def call_fn(self, name: str, args: list[Any]) -> Any:
        return self.rt.call_named(self, name, list(args))

    def check_size(self, value: Any) -> None:
        self.rt.check_size(value)

    def emit_print(self, text: str) -> None:
        self.rt.on_print(text)

    def emit_debug(self, text: str) -> None:
        self.rt.on_debug(text)


class Runtime:
    """State of one top-level call: limits, operation count, call depth, loaded modules."""

    def __init__(self, registry: FunctionRegistry, limits: Limits, loader: ModuleLoader | None,
                 on_print: Callable[[str], None], on_debug: Callable[[str], None]) -> None:
        self.registry = registry
        self.limits = limits
        self.loader = loader
        self.on_print = on_print
        self.on_debug = on_debug
        self.max_ops = limits.max_operations or (1 << 62)
        self.max_depth = limits.max_call_depth or 10_000
        self.max_str = limits.max_string_size
        self.max_arr = limits.max_array_size
        self.max_map = limits.max_map_size
        self.ops = 0
        self.depth = 0
        self.deadline = time.monotonic() + limits.timeout if limits.timeout else None
        self.next_check = min(self.max_ops, _CHECK_EVERY)
        self.fn_stack: list[str] = []
        self.modules_loaded = 0
        self.root: Instance | None = None
        # Seconds spent in host functions (Engine.register_fn): not charged to the timeout.
        self.host_time = 0.0

    # -- modules --------------------------------------------------------------------
    def find_module(self, alias: str) -> Instance | None:
        return self.root.imports.get(alias) if self.root is not None else None

    def import_module(self, name: str, importer: Instance) -> Instance:
        """Load ``name`` (relative to the module directory) and run its top level."""
        if self.loader is None:
            raise RhaiRuntimeError(f"Module not found: {name} (no module directory)")
        self.modules_loaded += 1
        if self.limits.max_modules and self.modules_loaded > self.limits.max_modules:
            raise RhaiLimitError(f"Too many modules imported: more than {self.limits.max_modules} "
                                 f"(max_modules) importing '{name}'")
        unit = self.loader.load(name)
        inst = Instance(unit)
        try:
            self.invoke(unit.main, [], inst)
        except (BreakFlow, ContinueFlow):
            pass
        return inst

    # -- limits ---------------------------------------------------------------------
    def where(self) -> str:
        name = self.fn_stack[-1] if self.fn_stack else "<top level>"
        return "at top level" if name == "<top level>" else f"in fn '{name}'"

    def tick(self) -> None:
        """Called when ``ops`` passes ``next_check``: enforce the operation and time limits."""
        if self.ops >= self.max_ops:
            raise RhaiLimitError(
                f"Too many operations: more than {self.max_ops} (max_operations) {self.where()}")
        if self.deadline is not None and time.monotonic() - self.host_time > self.deadline:
            raise RhaiLimitError(
                f"Script terminated: timed out after {self.limits.timeout} s (timeout) "
                f"{self.where()}")
        self.next_check = min(self.max_ops, self.ops + _CHECK_EVERY)

    def check_size(self, value: Any) -> None:
        t = type(value)
        if t is str:
            if self.max_str and len(value) > self.max_str:
                raise RhaiLimitError(f"Length of string too large: more than {self.max_str} "
                                     f"characters (max_string_size) {self.where()}")
        elif t is list or t is bytearray:
            if self.max_arr and len(value) > self.max_arr:
                raise RhaiLimitError(f"Size of array too large: more than {self.max_arr} "
                                     f"items (max_array_size) {self.where()}")
        elif t is dict:
            if self.max_map and len(value) > self.max_map:
                raise RhaiLimitError(f"Size of object map too large: more than {self.max_map} "
                                     f"properties (max_map_size) {self.where()}")

    # -- calls ----------------------------------------------------------------------
    def invoke(self, cfn: CFn, args: list[Any], inst: Instance, this: Cell | None = None,
               captured: list[Cell] | None = None, pos: Position | None = None) -> Any:
        """Run a script function with ``args`` (already copied) in module ``inst``."""
        if self.depth >= self.max_depth:
            raise RhaiLimitError(f"Stack overflow: more than {self.max_depth} nested calls "
                                 f"(max_call_depth) calling fn '{cfn.name}'")
        if this is None:
            ctx = inst.ctx
            if ctx is None or ctx.rt is not self:
                ctx = inst.ctx = Ctx(self, inst)
        else:
            ctx = Ctx(self, inst, this)
        if captured:
            fr: Frame = [ctx, *captured, *args]
        else:
            fr = [ctx, *args]
        extra = cfn.nslots - len(fr)
        if extra > 0:
            fr.extend([None] * extra)
        for i in cfn.cell_params:
            fr[i] = Cell(fr[i])
        ops = self.ops = self.ops + 1
        if ops >= self.next_check:
            self.tick()
        self.depth += 1
        self.fn_stack.append(cfn.name)
        try:
            return cfn.body(fr)
        except ReturnFlow as r:
            return r.value
        except RhaiRuntimeError as e:
            if pos is not None and len(e.trace) < 200:
                e.trace.append(f"in fn '{cfn.name}' called at {pos[0]}:{pos[1]}:{pos[2]}")
            raise
        except RecursionError:
            raise RhaiLimitError(f"Stack overflow (max_call_depth) calling fn '{cfn.name}'",
                                 pos) from None
        finally:
            self.depth -= 1
            self.fn_stack.pop()

    def call_native(self, ctx: Ctx, name: str, args: list[Any], missing: Any = None) -> Any:
        """Call a native function; when none accepts the arguments, return ``missing`` if
        given, else raise "Function not found"."""
        ops = self.ops = self.ops + 1
        if ops >= self.next_check:
            self.tick()
        for fn in self.registry.lookup(name, len(args)):
            try:
                return fn(ctx, *args)
            except NoMatch:
                continue
            except RuntimeFault as e:
                thrown = getattr(e, "thrown", None)
                raise RhaiRuntimeError(str(e), thrown=str(e) if thrown is None else thrown,
                                       is_value=True) from None
            except (RhaiError, BreakFlow, ContinueFlow, ReturnFlow):
                raise
            except RecursionError:
                raise RhaiLimitError(f"Stack overflow (max_call_depth) in '{name}'") from None
            except Exception as e:  # a host function failed: make it a catchable script error
                raise RhaiRuntimeError(f"{name}: {e}", thrown=f"{name}: {e}", is_value=True) from e
        if missing is not None:
            return missing
        raise not_found(name, args)

    def call_named(self, ctx: Ctx, name: str, args: list[Any], this: Cell | None = None,
                   pos: Position | None = None) -> Any:
        """Call by name: the module's script functions first, then native functions."""
        cfn = ctx.inst.unit.fns.get((name, len(args)))
        if cfn is not None:
            return self.invoke(cfn, args, ctx.inst, this, pos=pos)
        return self.call_native(ctx, name, args)

    def call_ptr(self, ctx: Ctx, fp: Any, args: list[Any], this: Cell | None = None,
                 pos: Position | None = None) -> Any:
        if type(fp) is not FnPtr:
            raise RhaiRuntimeError(f"Data type incorrect: {type_name(fp)} (expecting Fn)")
        if fp.curry:
            args = list(fp.curry) + args
        if fp.fn_def is not None:
            cfn: CFn = fp.fn_def
            inst, cells = fp.captured
            if len(args) != cfn.nparams:
                raise not_found(fp.name, args)
            return self.invoke(cfn, args, inst, this, cells, pos)
        return self.call_named(ctx, fp.name, args, this, pos)


# -- property and index access ---------------------------------------------------------


def prop_get(ctx: Ctx, obj: Any, name: str) -> Any:
    if type(obj) is dict:
        return obj.get(name)
    if obj is None:
        raise RhaiRuntimeError(f"Unknown property '{name}' on () (property access on unit)")
    if type(obj) is FnPtr and name in ("name", "is_anonymous"):
        return obj.name if name == "name" else obj.fn_def is not None
    getter = ctx.rt.registry.lookup("get$" + name, 1)
    if getter:
        return ctx.rt.call_native(ctx, "get$" + name, [obj])
    raise RhaiRuntimeError(f"Unknown property '{name}' for type {type_name(obj)}")


def prop_set(ctx: Ctx, obj: Any, name: str, value: Any) -> None:
    if type(obj) is dict:
        obj[name] = value
        ctx.rt.check_size(obj)
        return
    if obj is not None and ctx.rt.registry.lookup("set$" + name, 2):
        ctx.rt.call_native(ctx, "set$" + name, [obj, value])
        return
    raise RhaiRuntimeError(f"Cannot set property '{name}' of type {type_name(obj)}")


def _norm_index(i: int, n: int, what: str, unit: str) -> int:
    j = i + n if i < 0 else i
    if 0 <= j < n:
        return j
    if n == 0:
        raise RhaiRuntimeError(f"{what} index {i} out of bounds: {unit} is empty")
    plural = {"array": "elements", "string": "characters", "blob": "bytes", "bit-field": "bits"}
    count = f"1 {plural[unit][:-1]}" if n == 1 else f"{n} {plural[unit]}"
    raise RhaiRuntimeError(f"{what} index {i} out of bounds: only {count} in {unit}")


def _slice(obj: Any, r: range) -> Any:
    """``s[a..b]`` on strings and arrays: negative bounds count from the end, clamped."""
    n = len(obj)
    start, stop = r.start, r.stop
    if start < 0:
        start = max(start + n, 0)
    if stop < 0:
        stop = max(stop + n, 0)
    start, stop = min(start, n), min(stop, n)
    return obj[start:stop] if start < stop else obj[:0]


def index_get(ctx: Ctx, obj: Any, idx: Any) -> Any:
    t, ti = type(obj), type(idx)
    if ti is range and (t is str or t is list or t is bytearray):
        return _slice(obj, idx)
    if t is list:
        if ti is int:
            return obj[_norm_index(idx, len(obj), "Array", "array")]
    elif t is dict:
        if ti is str or ti is Char:
            return obj.get(idx)
        raise RhaiRuntimeError(f"Object map key must be a string, not {type_name(idx)}")
    elif t is str:
        if ti is int:
            return Char(obj[_norm_index(idx, len(obj), "String", "string")])
    elif t is bytearray:
        if ti is int:
            return obj[_norm_index(idx, len(obj), "Blob", "blob")]
    elif t is int:
        if ti is int:
            return bool((obj >> _norm_index(idx, 64, "Bit-field", "bit-field")) & 1)
    if obj is None:
        raise RhaiRuntimeError("Cannot index into () (indexing a unit value)")
    if ctx.rt.registry.lookup("index$get$", 2):
        return ctx.rt.call_native(ctx, "index$get$", [obj, idx])
    raise RhaiRuntimeError(f"Indexer unavailable: {type_name(obj)}[{type_name(idx)}]")


def index_set(ctx: Ctx, obj: Any, idx: Any, value: Any) -> Any:
    """Store ``value`` at ``obj[idx]``; returns the replacement for immutable containers
    (strings, bit-fields) or ``obj`` itself when it changed in place."""
    t, ti = type(obj), type(idx)
    if t is list and ti is int:
        obj[_norm_index(idx, len(obj), "Array", "array")] = value
        return obj
    if t is dict and (ti is str or ti is Char):
        obj[str(idx)] = value
        ctx.rt.check_size(obj)
        return obj
    if t is str and ti is int:
        if type(value) is not Char:
            raise RhaiRuntimeError(f"Data type incorrect: {type_name(value)} (expecting char)")
        j = _norm_index(idx, len(obj), "String", "string")
        return obj[:j] + value + obj[j + 1 :]
    if t is bytearray and ti is int:
        if type(value) is not int:
            raise RhaiRuntimeError(f"Data type incorrect: {type_name(value)} (expecting i64)")
        obj[_norm_index(idx, len(obj), "Blob", "blob")] = value & 0xFF
        return obj
    if t is int and ti is int:
        if type(value) is not bool:
            raise RhaiRuntimeError(f"Data type incorrect: {type_name(value)} (expecting bool)")
        bit = _norm_index(idx, 64, "Bit-field", "bit-field")
        u = obj & ((1 << 64) - 1)
        u = u | (1 << bit) if value else u & ~(1 << bit)
        return u - (1 << 64) if u >= 1 << 63 else u
    if obj is not None and ctx.rt.registry.lookup("index$set$", 3):
        ctx.rt.call_native(ctx, "index$set$", [obj, idx, value])
        return obj
    raise RhaiRuntimeError(
        f"Indexer unavailable: {type_name(obj)}[{type_name(idx)}] = {type_name(value)}")


def interp_part(v: Any) -> str:
    return v if type(v) is str else display(v)
