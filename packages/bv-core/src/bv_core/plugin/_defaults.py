"""The built-in ``init()`` and ``upload()`` of a plugin with a config (plugin-api-2.16.md §3).

Engine-independent: they read a ``PluginConfig`` and drive a ``PluginHost``. The step order
is the original's and is part of the contract (tests record it):

init:   stop_all_jobs -> render config_files -> aux services -> init commands, init jobs
        -> data step (only without the protocol-data lock): download | alternative_download
           (each followed by post_download) | cold_init -> services -> scheduled tasks
upload: stop protocol-data services -> pre_upload commands, jobs -> "upload" -> post_upload
        -> services again (wait_for the post_upload jobs, or "upload")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..jobs import (
    DownloadJob,
    JobConfig,
    Restart,
    RestartPolicy,
    RunShJob,
    UploadJob,
)
from ..jobs import (
    RestartConfig as JobRestartConfig,
)
from ..rhai._stdlib.blockvisor import ShResponse
from ._binding import params_json
from ._config import (
    DOWNLOAD_JOB,
    UPLOAD_JOB,
    Actions,
    AuxService,
    Job,
    OnFailure,
    PluginConfig,
    RestartConfig,
    Service,
    Upload,
)
from ._errors import PluginCallError

if TYPE_CHECKING:
    from ._host import PluginHost, ShResult

__all__ = [
    "DEFAULT_ARCHIVE_RESTART",
    "DEFAULT_SERVICE_RESTART",
    "DEFAULT_ZSTD_LEVEL",
    "build_job_config",
    "build_service_job_config",
    "run_default_init",
    "run_default_upload",
]

DEFAULT_SERVICE_RESTART = JobRestartConfig(backoff_timeout_ms=60_000, backoff_base_ms=1_000)
DEFAULT_ARCHIVE_RESTART = JobRestartConfig(
    backoff_timeout_ms=600_000, backoff_base_ms=500, max_retries=10
)
DEFAULT_ZSTD_LEVEL = 3


def _restart_config(rc: RestartConfig) -> JobRestartConfig:
    return JobRestartConfig(
        backoff_timeout_ms=rc.backoff_timeout_ms,
        backoff_base_ms=rc.backoff_base_ms,
        max_retries=rc.max_retries,
    )


def _on_failure_or_never(rc: RestartConfig | None) -> Restart:
    if rc is None:
        return Restart(RestartPolicy.NEVER)
    return Restart(RestartPolicy.ON_FAILURE, _restart_config(rc))


def _optional(**kwargs: object) -> dict[str, object]:
    """Keyword arguments left unset keep JobConfig's defaults (the original's None fields)."""
    return {k: v for k, v in kwargs.items() if v is not None}


def build_job_config(job: Job, needs: list[str]) -> JobConfig:
    """A plugin Job -> run_sh JobConfig; its own ``needs`` come first, then ``needs``."""
    if isinstance(job.restart, OnFailure):
        restart = Restart(RestartPolicy.ON_FAILURE, _restart_config(job.restart.on_failure))
    else:
        restart = Restart(RestartPolicy.NEVER)
    return JobConfig(
        job_type=RunShJob(job.run_sh),
        restart=restart,
        needs=tuple((job.needs or []) + needs),
        **_optional(  # type: ignore[arg-type]
            shutdown_timeout_secs=job.shutdown_timeout_secs,
            shutdown_signal=job.shutdown_signal,
            run_as=job.run_as,
            log_buffer_capacity_mb=job.log_buffer_capacity_mb,
            log_timestamp=job.log_timestamp,
            use_protocol_data=job.use_protocol_data,
            one_time=job.one_time,
        ),
    )


def build_service_job_config(
    service: Service | AuxService, needs: list[str], wait_for: list[str]
) -> JobConfig:
    """A service -> always-restarting run_sh JobConfig.

    Only protocol-data services wait for ``needs``/``wait_for``; aux services (and services
    with ``use_protocol_data: false``) start at once.
    """
    use_protocol_data = isinstance(service, Service) and service.use_protocol_data
    rc = service.restart_config
    return JobConfig(
        job_type=RunShJob(service.run_sh),
        restart=Restart(
            RestartPolicy.ALWAYS, DEFAULT_SERVICE_RESTART if rc is None else _restart_config(rc)
        ),
        needs=tuple(needs) if use_protocol_data else (),
        wait_for=tuple(wait_for) if use_protocol_data else (),
        use_protocol_data=use_protocol_data,
        **_optional(  # type: ignore[arg-type]
            shutdown_timeout_secs=service.shutdown_timeout_secs,
            shutdown_signal=service.shutdown_signal,
            run_as=service.run_as,
            log_buffer_capacity_mb=service.log_buffer_capacity_mb,
            log_timestamp=service.log_timestamp,
        ),
    )


def _create_and_start(host: PluginHost, name: str, config: JobConfig) -> None:
    host.create_job(name, config)
    host.start_job(name)


def _sh_debug(result: ShResult) -> str:
    # The original prints the ShResponse with Rust's Debug formatting.
    return ShResponse(result.exit_code, result.stdout, result.stderr).rust_debug()


def _run_actions(host: PluginHost, actions: Actions | None, needs: list[str]) -> list[str]:
    """Run the commands (each must exit 0), then create and start the jobs.

    Returns the names of the started jobs, or ``needs`` when there were none.
    """
    if actions is None:
        return needs
    for command in actions.commands:
        result = host.run_sh(command, None)
        if result.exit_code != 0:
            raise PluginCallError(
                f"init command '{command}' failed with exit_code: {_sh_debug(result)}"
            )
    for job in actions.jobs:
        _create_and_start(host, job.name, build_job_config(job, needs))
    return [job.name for job in actions.jobs] if actions.jobs else needs


def _start_jobs(host: PluginHost, jobs: list[Job] | None, needs: list[str]) -> list[str]:
    for job in jobs or []:
        _create_and_start(host, job.name, build_job_config(job, needs))
    return [job.name for job in jobs or []]


def _data_step(config: PluginConfig, host: PluginHost, needs: list[str]) -> list[str]:
    """Download (or its alternatives) and post_download; returns what services must need."""
    if host.has_protocol_archive():
        download = config.download
        rc = download.restart_config if download else None
        job = JobConfig(
            job_type=DownloadJob(
                max_connections=download.max_connections if download else None,
                max_runners=download.max_runners if download else None,
            ),
            restart=Restart(
                RestartPolicy.ON_FAILURE,
                DEFAULT_ARCHIVE_RESTART if rc is None else _restart_config(rc),
            ),
            needs=tuple(needs),
        )
    elif config.alternative_download is not None:
        alt = config.alternative_download
        job = JobConfig(
            job_type=RunShJob(alt.run_sh),
            restart=_on_failure_or_never(alt.restart_config),
            needs=tuple(needs),
            **_optional(  # type: ignore[arg-type]
                run_as=alt.run_as,
                log_buffer_capacity_mb=alt.log_buffer_capacity_mb,
                log_timestamp=alt.log_timestamp,
            ),
        )
    elif config.cold_init is not None:
        cold = config.cold_init
        job = JobConfig(
            job_type=RunShJob(cold.run_sh),
            restart=_on_failure_or_never(cold.restart_config),
            needs=tuple(needs),
            **_optional(  # type: ignore[arg-type]
                run_as=cold.run_as,
                log_buffer_capacity_mb=cold.log_buffer_capacity_mb,
                log_timestamp=cold.log_timestamp,
                one_time=cold.one_time,
            ),
        )
        _create_and_start(host, DOWNLOAD_JOB, job)
        # cold_init is a fallback that builds the data itself: no post_download after it.
        return [DOWNLOAD_JOB]
    else:
        return needs
    _create_and_start(host, DOWNLOAD_JOB, job)
    return _start_jobs(host, config.post_download, [DOWNLOAD_JOB]) or [DOWNLOAD_JOB]


def run_default_init(config: PluginConfig, host: PluginHost) -> None:
    """The built-in ``init()``; idempotent, so it may run again after upgrades or restarts."""
    host.stop_all_jobs()
    for file in config.config_files or []:
        host.render_template(file.template, file.destination, params_json(file.params))
    for aux in config.aux_services or []:
        _create_and_start(host, aux.name, build_service_job_config(aux, [], []))
    services_needs = _run_actions(host, config.init, [])
    if host.protocol_data_stamp() is None:
        services_needs = _data_step(config, host, services_needs)
    for service in config.services:
        _create_and_start(host, service.name, build_service_job_config(service, services_needs, []))
    for task in config.scheduled or []:
        host.add_task(task.name, task.schedule, task.function, task.param or "")


def _upload_job_config(upload: Upload | None, needs: list[str]) -> JobConfig:
    if upload is None:
        upload = Upload()
    if upload.compression == "NONE":
        compression: dict[str, int] | None = None
    elif upload.compression is None:
        compression = {"ZSTD": DEFAULT_ZSTD_LEVEL}
    else:
        compression = {"ZSTD": upload.compression.ZSTD}
    rc = upload.restart_config
    return JobConfig(
        job_type=UploadJob(
            exclude=tuple(upload.exclude) if upload.exclude is not None else None,
            compression=compression,
            max_connections=upload.max_connections,
            max_runners=upload.max_runners,
            number_of_chunks=upload.number_of_chunks,
            url_expires_secs=upload.url_expires_secs,
            data_version=upload.data_version,
        ),
        restart=Restart(
            RestartPolicy.ON_FAILURE, DEFAULT_ARCHIVE_RESTART if rc is None else _restart_config(rc)
        ),
        needs=tuple(needs),
    )


def run_default_upload(config: PluginConfig, host: PluginHost) -> None:
    """The built-in ``upload()``: services go down, the archive goes up, services come back."""
    data_services = [s for s in config.services if s.use_protocol_data]
    for service in data_services:
        host.stop_job(service.name)
    pre_names = _run_actions(host, config.pre_upload, [])
    _create_and_start(host, UPLOAD_JOB, _upload_job_config(config.upload, pre_names))
    post_names = _start_jobs(host, config.post_upload, [UPLOAD_JOB])
    # Services come back whatever the upload's result: wait_for, not needs.
    wait_for = post_names or [UPLOAD_JOB]
    for service in data_services:
        _create_and_start(host, service.name, build_service_job_config(service, [], wait_for))
