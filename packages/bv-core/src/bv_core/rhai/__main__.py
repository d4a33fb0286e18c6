"""Command-line face of the Rhai engine and the plugin tools.

    python -m bv_core.rhai eval FILE
    python -m bv_core.rhai lint DIR [--babel-yaml PATH] [--env ENV.json] [--params PARAMS.json]
                                    [--strict]
    python -m bv_core.rhai config DIR --env ENV.json [--params PARAMS.json] [--babel-yaml PATH]

``eval`` prints the script's final value as JSON (the script's print/debug go to stderr). ``lint`` prints one line per finding and
exits 1 if there is any. ``config`` prints the plugin's configuration as JSON. Errors go to
stderr as one line (with file:line:col for script errors) and exit 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from ..errors import BvError

__all__ = ["main"]


def _read_json(path: str, what: str) -> Any:
    try:
        return orjson.loads(Path(path).read_bytes())
    except OSError as err:
        raise BvError(f"cannot read {what} file {path}: {err.strerror}") from err
    except orjson.JSONDecodeError as err:
        raise BvError(f"{what} file {path} is not valid JSON: {err}") from err


def _to_stderr(text: str) -> None:
    sys.stderr.write(text + "\n")


def _cmd_eval(args: argparse.Namespace) -> int:
    from . import Engine, to_json_value

    path = Path(args.file)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise BvError(f"cannot read script {path}: {err}") from err
    engine = Engine(module_dir=path.parent)
    # The script's print/debug output goes to stderr: stdout carries only the JSON value.
    engine.on_print = _to_stderr
    engine.on_debug = _to_stderr
    value = engine.run(engine.compile(source, str(path)))
    sys.stdout.write(orjson.dumps(to_json_value(value)).decode() + "\n")
    return 0


def _cmd_lint(args: argparse.Namespace) -> int:
    from ..plugin.linter import lint

    env = _read_json(args.env, "env") if args.env else None
    params = _read_json(args.params, "params") if args.params else None
    findings = lint(Path(args.dir), args.babel_yaml, env, params, strict=args.strict)
    for finding in findings:
        sys.stdout.write(f"{finding}\n")
    return 1 if findings else 0


def _cmd_config(args: argparse.Namespace) -> int:
    from ..plugin import RhaiPlugin, StaticHost, plugin_config_to_value
    from ..plugin.linter import lint_context

    directory = Path(args.dir)
    ctx = lint_context(
        directory,
        Path(args.babel_yaml) if args.babel_yaml else None,
        _read_json(args.env, "env"),
        _read_json(args.params, "params") if args.params else None,
    )
    plugin = RhaiPlugin(directory, StaticHost(ctx.node_env, ctx.params))
    config = plugin.evaluate_config()
    if config is None:
        raise BvError(f"{plugin.main_path}: Missing plugin_config function (and no PLUGIN_CONFIG)")
    text = orjson.dumps(plugin_config_to_value(config), option=orjson.OPT_INDENT_2)
    sys.stdout.write(text.decode() + "\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bv_core.rhai", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_eval = sub.add_parser("eval", help="run a script and print its final value as JSON")
    p_eval.add_argument("file")
    p_eval.set_defaults(run=_cmd_eval)
    p_lint = sub.add_parser("lint", help="lint the plugin in DIR (main.rhai + modules)")
    p_lint.add_argument("dir")
    p_lint.add_argument("--babel-yaml", help="image metadata (default: DIR/babel.yaml)")
    p_lint.add_argument("--env", help="node env JSON (default: the linter's stand-in)")
    p_lint.add_argument("--params", help="node params JSON (default: property defaults)")
    p_lint.add_argument(
        "--strict", action="store_true",
        help="also warn about the older PLUGIN_CONFIG/BASE_CONFIG constants (HEAD's rule)",
    )
    p_lint.set_defaults(run=_cmd_lint)
    p_config = sub.add_parser("config", help="print the plugin's configuration as JSON")
    p_config.add_argument("dir")
    p_config.add_argument("--env", required=True, help="node env JSON (missing fields: stand-in)")
    p_config.add_argument("--params", help="node params JSON (default: property defaults)")
    p_config.add_argument("--babel-yaml", help="image metadata (default: DIR/babel.yaml)")
    p_config.set_defaults(run=_cmd_config)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except BvError as err:  # RhaiError is a BvError: its text starts with file:line:col
        sys.stderr.write(f"error: {err}\n")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
