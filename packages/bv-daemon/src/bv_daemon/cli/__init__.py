"""The bv and nib command-line interfaces.

`bv` (``bv.py``, console script ``bv = bv_daemon.cli.bv:main``) talks to blockvisord over its
internal gRPC API on the daemon's Unix socket. Modules:

    bv.py                     main(), the console entry point (answers --version without click)
    _root.py                  the root group (-o/--output, --socket, --log-level, --version)
    _client.py                DaemonClient: calls, gRPC status -> CliError translation
    _unary_channel.py         unary gRPC over HTTP/2 on the socket without grpcio (streams use grpcio)
    _context.py               Ctx (output format, client) and AliasedGroup (aliases, lazy commands)
    _format.py / _output.py   rows, JSON objects and text blocks / table and JSON printers
    _progress.py              progress of streamed node operations (TTY line or one line per step)
    _daemon_commands.py       bv start | stop | status
    _node_commands.py         bv node list | create | start | stop | restart | upgrade | update | delete
    _node_inspect_commands.py bv node info | status | capabilities | run | check | reload-plugin
    _job_commands.py          bv node jobs | job <node> ... | logs
    _host_commands.py         bv host info | metrics, bv image list | import, bv cluster status

Start-up time is part of the CLI's contract (scripts call `bv` in loops): command modules load
only when their command runs, protobuf messages only inside the functions making a call, and
grpcio only for streaming calls (tests/cli/test_cli_startup.py checks what each command imports).
"""
