"""PluginConfig: deserialisation of both API generations and the original's validation."""

from __future__ import annotations

import pytest

from bv_core.plugin import PluginConfigError, plugin_config_from_json, plugin_config_from_value
from bv_core.plugin._config import (
    BaseConfig,
    base_config_from_value,
    merge_base_config,
    plugin_config_to_json,
    plugin_config_to_value,
)

SERVICE = {"name": "node", "run_sh": "run"}


def test_unknown_keys_are_ignored_and_defaults_apply() -> None:
    config = plugin_config_from_value(
        {"services": [dict(SERVICE, needs=[])], "disable_default_services": True, "extra": 1}
    )
    assert config.services[0].use_protocol_data is True
    assert config.aux_services is None


def test_unit_means_absent() -> None:
    config = plugin_config_from_value({"services": [SERVICE], "upload": None, "scheduled": None})
    assert config.upload is None and config.scheduled is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({}, "failed to deserialize plugin_config: Object missing required field `services`"),
        ({"services": [{"name": 1, "run_sh": "x"}]}, "at `$.services[0].name`"),
        ({"services": [], "init": {"commands": []}}, "missing required field `jobs` - at `$.init`"),
        ({"services": [], "download": {"max_connections": -1}}, "$.download.max_connections"),
        ({"services": [], "upload": {"compression": "LZ4"}}, "$.upload.compression"),
        (
            {"services": [], "post_download": [dict(SERVICE, restart={"always": {}})]},
            "$.post_download[0].restart",
        ),
        ({"services": [dict(SERVICE, shutdown_signal="SIGFOO")]}, "$.services[0].shutdown_signal"),
        ({"services": [dict(SERVICE, use_protocol_data=1)]}, "Expected `bool`, got `int`"),
    ],
)
def test_deserialize_errors_name_the_field(value: dict[str, object], expected: str) -> None:
    with pytest.raises(PluginConfigError) as err:
        plugin_config_from_value(value)
    assert str(err.value).startswith("Invalid Rhai script - failed to deserialize plugin_config")
    assert expected in str(err.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"services": [dict(SERVICE, name="download")]}, "Services names are not unique"),
        ({"services": [SERVICE, SERVICE]}, "Services names are not unique"),
        ({"services": [], "aux_services": [dict(SERVICE, name="upload")]},
         "Auxiliary services names are not unique"),
        ({"services": [SERVICE], "init": {"commands": [], "jobs": [SERVICE]}},
         "Services names are not unique"),
        ({"services": [], "init": {"commands": [], "jobs": [SERVICE, SERVICE]}},
         "Init jobs names are not unique"),
        ({"services": [], "post_download": [SERVICE], "post_upload": [SERVICE]},
         "Post-upload jobs names are not unique"),
        ({"services": [], "pre_upload": {"commands": [], "jobs": [dict(SERVICE, name="download")]}},
         "Pre-upload jobs names are not unique"),
        ({"services": [], "scheduled": [{"name": "t", "schedule": "*", "function": "f"}] * 2},
         "Scheduled tasks names are not unique"),
    ],
)
def test_validation_messages(value: dict[str, object], message: str) -> None:
    with pytest.raises(PluginConfigError, match=message):
        plugin_config_from_value(value)


def test_base_config_merge_puts_plugin_files_first_and_replaces_aux_services() -> None:
    files = [{"template": "a", "destination": "b", "params": {}}]
    config = plugin_config_from_value(
        {"services": [SERVICE], "config_files": files, "aux_services": [dict(SERVICE, name="x")]}
    )
    base = base_config_from_value(
        {"config_files": [{"template": "base", "destination": "c", "params": {"k": "v"}}],
         "services": [dict(SERVICE, name="exporter")], "disable_default_services": True}
    )
    merged = merge_base_config(config, base)
    assert [f.template for f in merged.config_files or []] == ["a", "base"]
    assert [s.name for s in merged.aux_services or []] == ["exporter"]
    # Base services replace aux services even when the base has none.
    assert merge_base_config(config, BaseConfig()).aux_services is None
    with pytest.raises(PluginConfigError, match="Auxiliary services names are not unique"):
        merge_base_config(config, base_config_from_value({"services": [dict(SERVICE, name="upload")]}))


def test_json_round_trip_and_value_form() -> None:
    config = plugin_config_from_value(
        {"services": [SERVICE], "upload": {"compression": {"ZSTD": 5}, "exclude": ["*.tmp"]}}
    )
    assert plugin_config_from_json(plugin_config_to_json(config), "plugin_config.json") == config
    assert plugin_config_to_value(config)["upload"] == {"compression": {"ZSTD": 5}, "exclude": ["*.tmp"]}
    with pytest.raises(PluginConfigError, match="plugin_config.json: invalid plugin config"):
        plugin_config_from_json(b'{"services": 3}', "plugin_config.json")
