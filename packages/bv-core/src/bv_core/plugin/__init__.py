"""The engine-independent plugin runtime: config model, host interface, default algorithms."""
