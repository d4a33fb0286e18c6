"""Errors of the plugin runtime.

    BvError
    └── PluginError                  anything the plugin runtime reports about a plugin
        ├── PluginLoadError          main.rhai is missing or does not compile   (InvalidInput)
        ├── PluginConfigError        plugin_config()/PLUGIN_CONFIG is missing, mistyped or invalid (InvalidInput)
        ├── PluginCallError          a plugin function failed or returned the wrong type (InvalidInput)
        │   └── PluginLimitError     a sandbox limit stopped the call (operations, depth, time...)
        └── MethodNotFound           no plugin function answers the requested method (NotFound)

Host implementations (``PluginHost``) raise whatever fits their own failure (usually a
``BvError``); the binding turns it into a catchable Rhai error, so the script may handle it,
and an uncaught one surfaces as ``PluginCallError`` naming the function that was called.
"""

from __future__ import annotations

from ..errors import BvError, InvalidInput, NotFound

__all__ = [
    "MethodNotFound",
    "PluginCallError",
    "PluginConfigError",
    "PluginError",
    "PluginLimitError",
    "PluginLoadError",
]


class PluginError(BvError):
    """Base of every plugin runtime error; ``str(err)`` is one line for an operator."""


class PluginLoadError(PluginError, InvalidInput):
    """The plugin's files cannot be read or compiled (the image is wrong)."""


class PluginConfigError(PluginError, InvalidInput):
    """The plugin's configuration is missing, cannot be deserialized or fails validation."""


class PluginCallError(PluginError, InvalidInput):
    """A plugin function raised an error or returned a value of the wrong type."""


class PluginLimitError(PluginCallError):
    """A sandbox limit stopped a plugin function (runaway loop, recursion, huge value)."""


class MethodNotFound(PluginError, NotFound):
    """No plugin function matches the requested method name and parameter."""
