"""Loaded by the server bench/open_breakdown.py starts (PYTHONPATH), never by the dashboard: logs each script run's
start and end and each websocket send, with time.monotonic() (the client's clock too, on Linux) and the process's CPU.

Lines: ``<monotonic> <process CPU s> run_start|run_end|send [bytes]`` in $STANCEWATCH_OPEN_LOG.
"""

import os
import threading
import time

LOG = os.environ.get("STANCEWATCH_OPEN_LOG")
if LOG:
    import starlette.websockets
    import streamlit.runtime.scriptrunner.script_runner as script_runner

    _out = open(LOG, "a", buffering=1)  # noqa: SIM115 - open for the process's life
    _guard = threading.Lock()

    def _log(*words: object) -> None:
        with _guard:
            _out.write(" ".join(map(str, (f"{time.monotonic():.4f}", f"{time.process_time():.3f}", *words))) + "\n")

    _run_script = script_runner.ScriptRunner._run_script

    def _timed_run(self, rerun_data):
        _log("run_start")
        try:
            return _run_script(self, rerun_data)
        finally:
            _log("run_end")

    _send_bytes = starlette.websockets.WebSocket.send_bytes

    async def _logged_send(self, data):
        await _send_bytes(self, data)
        _log("send", len(data))

    script_runner.ScriptRunner._run_script = _timed_run
    starlette.websockets.WebSocket.send_bytes = _logged_send
