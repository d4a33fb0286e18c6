"""nib's credentials file: ``~/.nib.json`` = ``{"token": <api key>, "blockjoy_api_url": <url>}``.

Read only by the commands that talk to the fleet API (bv-host-2.16.md §2.4: image/check/play
work without a login). Written atomically with mode 0600 because it holds a bearer API key.
``$NIB_CONFIG`` names another file (tests, several accounts).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ._client import CliError

__all__ = ["DEFAULT_API_URL", "NOT_LOGGED_IN", "NibConfig", "config_path", "load_config", "save_config"]

DEFAULT_API_URL = "https://api.prod.blockjoy.com"
NOT_LOGGED_IN = "You are not logged-in yet, please run `nib login` first."


@dataclass(frozen=True)
class NibConfig:
    token: str
    blockjoy_api_url: str


def config_path() -> Path:
    given = os.environ.get("NIB_CONFIG")
    return Path(given) if given else Path.home() / ".nib.json"


def load_config(path: Path | None = None) -> NibConfig:
    path = path or config_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(NOT_LOGGED_IN) from None
    except (OSError, ValueError) as err:
        raise CliError(f"cannot read nib config {path}: {err}; run `nib login` again") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("token"), str) \
            or not isinstance(raw.get("blockjoy_api_url"), str):
        raise CliError(f"nib config {path}: expected token and blockjoy_api_url strings; "
                       "run `nib login` again")
    return NibConfig(raw["token"], raw["blockjoy_api_url"])


def save_config(config: NibConfig, path: Path | None = None) -> Path:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"token": config.token, "blockjoy_api_url": config.blockjoy_api_url}, indent=2)
    # mkstemp creates the file 0600 before anything secret is written into it.
    fd, tmp = tempfile.mkstemp(prefix=".nib.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(data + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
