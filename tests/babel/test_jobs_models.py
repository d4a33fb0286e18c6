"""bv_core.jobs: the wire shape, validation at the edge, checksum."""

from __future__ import annotations

import pytest

from bv_core.errors import ModelError
from bv_core.jobs import (
    DownloadJob,
    Finished,
    JobInfo,
    JobProgress,
    Pending,
    RestartPolicy,
    Running,
    Stopped,
    UploadJob,
    crc32_bzip2,
    job_config_from_json,
    job_config_from_obj,
    job_config_to_json,
    job_info_from_obj,
    job_info_to_obj,
    job_status_from_obj,
    job_status_to_obj,
    trim_body,
)


def test_round_trip_and_defaults() -> None:
    cfg = job_config_from_obj(
        {"job_type": {"upload": {"exclude": ["a"], "compression": {"ZSTD": 3}}},
         "restart": {"on_failure": {"backoff_timeout_ms": 60000, "backoff_base_ms": 1000, "max_retries": 3}},
         "needs": ["init"], "one_time": True}, "t")
    assert isinstance(cfg.job_type, UploadJob) and cfg.job_type.compression == {"ZSTD": 3}
    assert cfg.restart.policy is RestartPolicy.ON_FAILURE and cfg.upgrade_blocking
    assert (cfg.shutdown_timeout_secs, cfg.shutdown_signal, cfg.log_buffer_capacity_mb) == (60, "SIGTERM", 128)
    assert cfg.log_timestamp is False and cfg.waiting_for == ("init",)
    assert job_config_from_json(job_config_to_json(cfg), "t") == cfg
    download = job_config_from_obj({"job_type": {"download": {}}, "restart": "never"}, "t")
    assert isinstance(download.job_type, DownloadJob)
    always = job_config_from_obj({"job_type": {"run_sh": "x"}, "restart": {"always": {"backoff_timeout_ms": 1, "backoff_base_ms": 1}}}, "t")
    assert not always.upgrade_blocking


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        ({"job_type": {"run_sh": 5}, "restart": "never"}, "$.job_type.run_sh"),
        ({"job_type": {"bake": "x"}, "restart": "never"}, "$.job_type"),
        ({"job_type": {"run_sh": "x"}, "restart": "sometimes"}, "$.restart"),
        ({"job_type": {"run_sh": "x"}, "restart": {"always": {"backoff_base_ms": 1}}}, "$.restart.always"),
        ({"job_type": {"run_sh": "x"}, "restart": "never", "log_timestamp": "yes"}, "$.log_timestamp"),
        ({"job_type": {"run_sh": "x"}, "restart": "never", "needs": "a"}, "$.needs"),
        ({"job_type": {"run_sh": "x"}, "restart": "never", "run_as": ""}, "$.run_as"),
        ({"job_type": {"upload": {"compression": {"GZIP": 1}}}, "restart": "never"}, "$.job_type.upload.compression"),
        ({"job_type": {"run_sh": "x"}, "restart": "never", "log_buffer_capacity_mb": 0}, "$.log_buffer_capacity_mb"),
    ],
)
def test_bad_configs_name_the_field(obj: dict[str, object], path: str) -> None:
    with pytest.raises(ModelError) as err:
        job_config_from_obj(obj, "plugin")
    assert err.value.path.startswith(path) and str(err.value).startswith("plugin: ")


def test_status_shapes() -> None:
    for status, obj in [
        (Pending(("a",)), {"pending": {"waiting_for": ["a"]}}),
        (Running(), "running"),
        (Stopped(), "stopped"),
        (Finished(None, "m"), {"finished": {"exit_code": None, "message": "m"}}),
    ]:
        assert job_status_to_obj(status) == obj
        assert job_status_from_obj(obj, "t") == status


def test_info_round_trip() -> None:
    info = JobInfo(Finished(0, ""), JobProgress(10, 5, "x"), 2, ("l1",), True, 12.5)
    assert job_info_from_obj(job_info_to_obj(info), "t") == info


def test_crc32_bzip2_check_value_and_chaining() -> None:
    assert crc32_bzip2(b"123456789") == 0xFC891918
    assert crc32_bzip2(b"6789", crc32_bzip2(b"12345")) == 0xFC891918


def test_trim_body() -> None:
    assert trim_body("  echo a && \\\n  ") == "echo a"
