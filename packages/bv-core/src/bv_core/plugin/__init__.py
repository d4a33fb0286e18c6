"""The engine-independent plugin runtime of BlockVisor plugins.

    PluginHost        the host functions a plugin calls (the daemon implements it per node)
    RhaiPlugin        a node's plugin: config of both API generations, default init/upload,
                      protocol_status overrides, status functions, custom methods
    PluginConfig      what plugin_config() (or PLUGIN_CONFIG + BASE_CONFIG) declares
    LinterHost        the original linter's stand-in host; StaticHost = with a real env/params
    HttpPluginHost    run_jrpc/run_rest over real HTTP (mixin)
    linter.lint       the linter (``nib image check``)
"""

from __future__ import annotations

from ._binding import bind_host as bind_host
from ._config import Actions as Actions
from ._config import AlternativeDownload as AlternativeDownload
from ._config import AuxService as AuxService
from ._config import BaseConfig as BaseConfig
from ._config import ColdInit as ColdInit
from ._config import ConfigFile as ConfigFile
from ._config import Download as Download
from ._config import Job as Job
from ._config import PluginConfig as PluginConfig
from ._config import RestartConfig as RestartConfig
from ._config import Service as Service
from ._config import Task as Task
from ._config import Upload as Upload
from ._config import plugin_config_from_json as plugin_config_from_json
from ._config import plugin_config_from_value as plugin_config_from_value
from ._config import plugin_config_to_json as plugin_config_to_json
from ._config import plugin_config_to_value as plugin_config_to_value
from ._defaults import build_job_config as build_job_config
from ._defaults import build_service_job_config as build_service_job_config
from ._defaults import run_default_init as run_default_init
from ._defaults import run_default_upload as run_default_upload
from ._errors import MethodNotFound as MethodNotFound
from ._errors import PluginCallError as PluginCallError
from ._errors import PluginConfigError as PluginConfigError
from ._errors import PluginError as PluginError
from ._errors import PluginLimitError as PluginLimitError
from ._errors import PluginLoadError as PluginLoadError
from ._host import DEFAULT_REQUEST_TIMEOUT as DEFAULT_REQUEST_TIMEOUT
from ._host import HttpResult as HttpResult
from ._host import JrpcRequest as JrpcRequest
from ._host import LinterHost as LinterHost
from ._host import LogLevel as LogLevel
from ._host import NodeEnv as NodeEnv
from ._host import PluginHost as PluginHost
from ._host import RestRequest as RestRequest
from ._host import ShResult as ShResult
from ._host import StaticHost as StaticHost
from ._host import linter_node_env as linter_node_env
from ._host import node_env_from_obj as node_env_from_obj
from ._http import HttpPluginHost as HttpPluginHost
from ._plugin import MAIN_FILE as MAIN_FILE
from ._plugin import ApiGeneration as ApiGeneration
from ._plugin import ProtocolStatus as ProtocolStatus
from ._plugin import RhaiPlugin as RhaiPlugin

__all__ = [
    "DEFAULT_REQUEST_TIMEOUT", "MAIN_FILE", "Actions", "AlternativeDownload", "ApiGeneration",
    "AuxService", "BaseConfig", "ColdInit", "ConfigFile", "Download", "HttpPluginHost",
    "HttpResult", "Job", "JrpcRequest", "LinterHost", "LogLevel", "MethodNotFound", "NodeEnv",
    "PluginCallError", "PluginConfig", "PluginConfigError", "PluginError", "PluginHost",
    "PluginLimitError", "PluginLoadError", "ProtocolStatus", "RestRequest", "RestartConfig",
    "RhaiPlugin", "Service", "ShResult", "StaticHost", "Task", "Upload", "bind_host",
    "build_job_config", "build_service_job_config", "linter_node_env", "node_env_from_obj", "plugin_config_from_json",
    "plugin_config_from_value", "plugin_config_to_json", "plugin_config_to_value",
    "run_default_init", "run_default_upload",
]
