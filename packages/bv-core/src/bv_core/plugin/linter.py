"""The plugin linter (``nib image check`` and ``python -m bv_core.rhai lint``).

Steps, as the original's (plugin-api-2.16.md §6): compile ``main.rhai``; run ``init()`` on the
stand-in ``LinterHost`` (any error stops the lint); warn about the deprecated API when no
config came out; then compile every ``*.rhai`` under the plugin directory and report each
``node_params()["key"]`` / ``node_params().key`` whose key babel.yaml does not declare.
Warnings fail the lint too; the caller decides how to show them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, final

from ..errors import BvError, InvalidInput
from ..rhai import Engine
from ..rhai._errors import RhaiError
from ._errors import PluginConfigError
from ._host import LinterHost, NodeEnv, linter_node_env, node_env_from_obj
from ._plugin import ApiGeneration, RhaiPlugin
from ._scan import node_params_keys

__all__ = ["DEPRECATED_API", "Finding", "LintContext", "lint", "lint_context"]

DEPRECATED_API = "Deprecated API used: missing plugin_config function"


@final
@dataclass(frozen=True)
class Finding:
    """One problem; ``str()`` is the line the CLI prints (the original's message text)."""

    severity: Literal["error", "warning"]
    message: str

    def __str__(self) -> str:
        return self.message


@final
@dataclass(frozen=True)
class LintContext:
    """What the plugin sees: node environment, parameters, and the declared property keys."""

    node_env: NodeEnv
    params: dict[str, str]
    declared: frozenset[str]


def _params_from_obj(obj: Any, source: str) -> dict[str, str]:
    if not isinstance(obj, dict) or not all(isinstance(v, str) for v in obj.values()):
        raise InvalidInput(f"{source}: expected a JSON object of string values")
    return {str(k): v for k, v in obj.items()}


def lint_context(
    plugin_dir: Path,
    babel_yaml: Path | None = None,
    node_env: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> LintContext:
    """Build what ``nib`` passes the linter: first variant, property defaults, stand-in env.

    ``babel_yaml`` defaults to ``plugin_dir/babel.yaml`` when that exists. ``node_env`` may
    be partial (it overrides the stand-in's fields); ``params`` override property defaults.
    """
    from ..models._image import load_image_metadata

    if babel_yaml is None and (plugin_dir / "babel.yaml").is_file():
        babel_yaml = plugin_dir / "babel.yaml"
    defaults: dict[str, str] = {}
    env = linter_node_env()
    declared: set[str] | None = None
    if babel_yaml is not None:
        meta = load_image_metadata(babel_yaml)
        variant = meta.variant(meta.variants[0].key)
        defaults = {p.key: p.default_value for p in variant.properties}
        declared = set(defaults)
        env = linter_node_env(
            node_version=meta.version,
            node_protocol=meta.protocol_key,
            node_variant=variant.variant_key,
        )
    if node_env is not None:
        env = node_env_from_obj(dict(node_env), "node env", env)
    given = _params_from_obj(dict(params), "params") if params is not None else {}
    merged = defaults | given
    return LintContext(env, merged, frozenset(merged if declared is None else declared))


def lint(
    plugin_dir: str | os.PathLike[str],
    babel_yaml: str | os.PathLike[str] | None = None,
    node_env: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    strict: bool = False,
) -> list[Finding]:
    """Lint the plugin in ``plugin_dir``; an empty list means clean.

    As in 2.16.4 (what today's images are checked with), a legacy ``PLUGIN_CONFIG``
    constant satisfies the deprecated-API check. ``strict`` applies HEAD's rule instead:
    only ``fn plugin_config()`` does, so old-style constants draw the warning too.
    """
    directory = Path(plugin_dir)
    try:
        ctx = lint_context(
            directory, Path(babel_yaml) if babel_yaml is not None else None, node_env, params
        )
    except BvError as err:
        return [Finding("error", str(err))]
    host = LinterHost(ctx.node_env, ctx.params)
    try:
        plugin = RhaiPlugin(directory, host)
    except BvError as err:
        return [Finding("error", str(err))]
    try:
        plugin.init()
    except PluginConfigError as err:
        # Config errors carry no position: name the plugin they come from.
        return [Finding("error", f"{plugin.main_path}: {err}")]
    except (BvError, RhaiError) as err:
        return [Finding("error", str(err))]
    findings: list[Finding] = []
    if plugin.config is None or (
        strict and plugin.api_generation is not ApiGeneration.PLUGIN_CONFIG_FN
    ):
        findings.append(Finding("warning", DEPRECATED_API))
    findings.extend(_undefined_properties(directory, ctx.declared))
    return findings


def _undefined_properties(directory: Path, declared: frozenset[str]) -> list[Finding]:
    engine = Engine()
    found: set[tuple[str, int, int, str]] = set()
    errors: list[Finding] = []
    for path in sorted(directory.rglob("*.rhai")):
        try:
            ast = engine.compile(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError) as err:
            errors.append(Finding("error", f"cannot read {path}: {err}"))
            continue
        except RhaiError as err:
            errors.append(Finding("error", f"Rhai syntax error: {err}"))
            continue
        for key, node in node_params_keys(ast):
            if key not in declared:
                _, line, column = node.pos
                found.add((str(path), line, column, key))
    warnings = [
        Finding("warning", f"{file}:{line}:{column}: '{key}' not defined in babel.yaml")
        for file, line, column, key in sorted(found)
    ]
    return errors + warnings
