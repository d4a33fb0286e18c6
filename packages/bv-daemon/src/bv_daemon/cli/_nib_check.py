"""The local checks of ``nib image check``: babel.yaml, the plugin, its jobs, the rootfs.

Each check returns a `CheckResult`; the CLI prints one ``OK``/``FAIL`` line per check (plus the
details of a failure, one line each, with ``file:line:column`` where the position is known).
The dev-node checks (play, jobs, status functions) are in ``_nib_dev``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from bv_core.errors import BvError
from bv_core.jobs import JobConfig
from bv_core.models import ImageMetadata, load_image_metadata
from bv_core.plugin._host import LinterHost
from bv_core.plugin._plugin import RhaiPlugin
from bv_core.plugin.linter import lint, lint_context
from bv_core.rhai._errors import RhaiError

from ._nib_report import CheckResult

__all__ = [
    "MIN_PYTHON",
    "check_babel",
    "check_jobs",
    "check_plugin",
    "check_rootfs",
    "python_version",
]

MIN_PYTHON = (3, 11)


def check_babel(image_dir: Path, variant: str | None) -> tuple[CheckResult, ImageMetadata | None]:
    """Parse and fully validate babel.yaml, and resolve every variant (or the one asked for)."""
    path = image_dir / "babel.yaml"
    try:
        meta = load_image_metadata(path)
        keys = [variant] if variant else [v.key for v in meta.variants]
        resolved = [meta.variant(k) for k in keys]
    except BvError as err:
        return CheckResult("babel.yaml", False, str(err)), None
    warnings = [f"WARNING! Rule {r.key} has empty ports array. It means opening all ports. Are you sure?"
                for v in resolved for r in v.firewall_config.rules if not r.ports]
    return CheckResult("babel.yaml", True,
                       f"{meta.protocol_key} {meta.version}, variants: {', '.join(keys)}",
                       sorted(set(warnings))), meta


def _variant_inputs(image_dir: Path, params: Mapping[str, str] | None,
                    variant: str | None) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """node_env and params for the linter when a variant other than the first is checked."""
    if not variant:
        return None, dict(params) if params is not None else None
    meta = load_image_metadata(image_dir / "babel.yaml")
    resolved = meta.variant(variant)
    defaults = {p.key: p.default_value for p in resolved.properties}
    return {"node_variant": variant}, defaults | dict(params or {})


def check_plugin(image_dir: Path, params: Mapping[str, str] | None, variant: str | None = None) -> CheckResult:
    """The engine's linter (errors and warnings both fail, as the original)."""
    node_env, merged = _variant_inputs(image_dir, params, variant)
    findings = lint(image_dir / "plugin", babel_yaml=image_dir / "babel.yaml", node_env=node_env,
                    params=merged)
    if not findings:
        return CheckResult("plugin", True, "linter found no problems")
    return CheckResult("plugin", False, f"linter found {len(findings)} problem(s)",
                       [str(f) for f in findings])


class _RecordingHost(LinterHost):
    """The linter's stub host, also keeping the jobs the plugin creates."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.jobs: dict[str, JobConfig] = {}

    def create_job(self, name: str, config: JobConfig) -> None:
        self.jobs[name] = config


def check_jobs(image_dir: Path, params: Mapping[str, str] | None, variant: str | None = None) -> CheckResult:
    """Every ``needs``/``wait_for`` of the jobs ``init()`` creates names a job it creates.

    babel would otherwise wait forever for the missing job; the linter does not look at it.
    """
    plugin_dir = image_dir / "plugin"
    try:
        node_env, merged = _variant_inputs(image_dir, params, variant)
        ctx = lint_context(plugin_dir, image_dir / "babel.yaml", node_env, merged)
        host = _RecordingHost(ctx.node_env, ctx.params)
        plugin = RhaiPlugin(plugin_dir, host)
        plugin.init()
    except (BvError, RhaiError) as err:
        return CheckResult("jobs", False, f"plugin init failed: {err}")
    problems = []
    for name, cfg in host.jobs.items():
        for dep in (*cfg.needs, *cfg.wait_for):
            if dep not in host.jobs:
                where = _position_of(plugin_dir, dep)
                problems.append(f"{where}job '{name}' needs unknown job '{dep}'")
    if problems:
        return CheckResult("jobs", False, f"{len(problems)} unknown job reference(s)", problems)
    return CheckResult("jobs", True, f"{len(host.jobs)} job(s): {', '.join(sorted(host.jobs)) or 'none'}")


_NEEDS = re.compile(r"\b(?:needs|wait_for)\s*:\s*\[([^\]]*)\]", re.S)


def _position_of(plugin_dir: Path, dep: str) -> str:
    """``file:line:column: `` of the string literal naming ``dep`` in a needs/wait_for list."""
    for path in sorted(plugin_dir.rglob("*.rhai")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for m in _NEEDS.finditer(text):
            lit = re.search(r"([\"`])" + re.escape(dep) + r"\1", m.group(1))
            if lit is not None:
                offset = m.start(1) + lit.start()
                line = text.count("\n", 0, offset) + 1
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1
                return f"{path}:{line}:{column}: "
    return ""


_VERSION = re.compile(r"Python (\d+)\.(\d+)(?:\.(\d+))?")


def python_version(rootfs: Path) -> tuple[int, ...] | None:
    """``python3 --version`` of the rootfs, run inside it (bwrap, read-only), or None if absent."""
    if not any((rootfs / d / "python3").exists() or (rootfs / d / "python3").is_symlink()
               for d in ("usr/bin", "bin", "usr/local/bin")):
        return None
    if shutil.which("bwrap") is None:
        # No sandbox to run it in: fall back to the versioned binary names.
        found = [tuple(int(x) for x in m.groups())
                 for p in (rootfs / "usr/bin").glob("python3.*")
                 if (m := re.fullmatch(r"python(\d+)\.(\d+)", p.name))]
        return max(found) if found else None
    argv = ["bwrap", "--ro-bind", str(rootfs), "/", "--proc", "/proc", "--dev", "/dev",
            "--unshare-all", "--die-with-parent", "--clearenv", "--setenv", "PATH",
            "/usr/local/bin:/usr/bin:/bin", "python3", "--version"]
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return None
    m = _VERSION.search(res.stdout + res.stderr)
    if res.returncode != 0 or m is None:
        return None
    return tuple(int(x) for x in m.groups() if x is not None)


def check_rootfs(image_dir: Path) -> CheckResult:
    rootfs = image_dir / "rootfs"
    if not rootfs.is_dir():
        return CheckResult("rootfs", False, f"{rootfs} missing: build it first (./rootfs.sh, or export "
                           "the Dockerfile's image into it)")
    version = python_version(rootfs)
    if version is None:
        return CheckResult("rootfs", False, f"no working python3 in {rootfs} (babel needs CPython >= "
                           f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]})")
    shown = ".".join(map(str, version))
    if version[:2] < MIN_PYTHON:
        return CheckResult("rootfs", False, f"python3 {shown} in {rootfs} is older than "
                           f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]} (babel needs >= {MIN_PYTHON[0]}.{MIN_PYTHON[1]})")
    return CheckResult("rootfs", True, f"python3 {shown}")
