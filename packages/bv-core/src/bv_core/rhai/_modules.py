"""File module resolver: ``import "base" as base;`` loads ``<module_dir>/base.rhai``.

Compiled modules are cached by path, modification time and size; every import still runs
the module's top-level code afresh (Rhai re-evaluates imports on each call).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ._errors import RhaiRuntimeError
from ._runtime import Unit

__all__ = ["ModuleLoader"]


class ModuleLoader:
    """Resolves module names to files under ``root`` and compiles them (with a cache)."""

    def __init__(self, root: Path, compile_file: Callable[[str, str], Unit]) -> None:
        self.root = root.resolve()
        self._compile = compile_file
        self._cache: dict[Path, tuple[int, int, Unit]] = {}
        self._paths: dict[str, Path] = {}
        self._lock = threading.Lock()

    def resolve(self, name: str) -> Path:
        hit = self._paths.get(name)
        if hit is not None:
            return hit
        rel = name if name.endswith(".rhai") else name + ".rhai"
        path = (self.root / rel).resolve()
        # The sandbox: modules come only from the plugin directory.
        if self.root != path.parent and self.root not in path.parents:
            raise RhaiRuntimeError(f"Module not found: {name} (outside the module directory)")
        self._paths[name] = path
        return path

    def load(self, name: str) -> Unit:
        path = self.resolve(name)
        try:
            st = path.stat()
        except OSError:
            raise RhaiRuntimeError(f"Module not found: {name}") from None
        with self._lock:
            hit = self._cache.get(path)
            if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
                return hit[2]
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise RhaiRuntimeError(f"Module not found: {name} ({e})") from None
        unit = self._compile(source, str(path))
        with self._lock:
            self._cache[path] = (st.st_mtime_ns, st.st_size, unit)
        return unit
