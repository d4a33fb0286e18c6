"""Real servers standing in for the outside world in tests (fleet API, MQTT broker, object store).

Import them as ``tests.fakes.<module>`` with the repository root on ``sys.path``.
"""
