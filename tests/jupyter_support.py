"""Real Jupyter for the tests: notebooks executed on an ipykernel (nbclient), and Voila serving a notebook
to the browser tests, with Jupyter's state kept out of $HOME.

jupyter_client's asyncio ZMQ channel loses a wakeup in about 4 % of kernel sessions on the CI machine
(a reply sits in the socket while ``await socket.poll(None)`` never returns). ``apply_zmq_wakeup_fix``
polls in 1-second slices instead; it is applied in this pytest process (for nbclient) and, through
``voila_launcher.py``, in the Voila server. Test code only: gradviz itself never touches jupyter_client.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty

__all__ = [
    "MISSING_KERNEL",
    "MISSING_VOILA",
    "apply_zmq_wakeup_fix",
    "jupyter_environment",
    "execute_notebook",
    "voila_server",
]

HERE = Path(__file__).resolve().parent


def _missing(*modules: str) -> str | None:
    absent = [name for name in modules if importlib.util.find_spec(name) is None]
    if absent:
        return f"needs {', '.join(absent)} (pip install -e '.[test]')"
    return None


MISSING_KERNEL: str | None = _missing("nbclient", "nbformat", "ipykernel", "ipywidgets", "jupyter_client")
MISSING_VOILA: str | None = MISSING_KERNEL or _missing("voila", "psutil")

_SLICE_S = 1.0


async def _get_msg_in_slices(self, timeout=None):
    assert self.socket is not None
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        remaining = _SLICE_S if deadline is None else max(0.0, min(_SLICE_S, deadline - time.monotonic()))
        ready = await self.socket.poll(int(remaining * 1000))
        if not ready:
            ready = await self.socket.poll(0)  # a synchronous re-check catches the lost wakeup
        if ready:
            return await self._recv()
        if deadline is not None and time.monotonic() >= deadline:
            raise Empty


def apply_zmq_wakeup_fix() -> None:
    """Bound jupyter_client's lost-wakeup stall to one second (see the module docstring)."""
    import jupyter_client.channels as channels

    channels.AsyncZMQSocketChannel.get_msg = _get_msg_in_slices


def jupyter_environment(base: Path) -> dict[str, str]:
    """Environment variables that keep Jupyter, IPython and Chromium state under `base` (created here)."""
    env = {}
    for variable, folder in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "matplotlib"),
        ("XDG_CONFIG_HOME", "xdg-config"),
        ("XDG_CACHE_HOME", "xdg-cache"),
    ]:
        (base / folder).mkdir(parents=True, exist_ok=True)
        env[variable] = str(base / folder)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["MPLBACKEND"] = "Agg"
    return env


def execute_notebook(path: Path, cwd: Path, timeout: int = 120, env: dict[str, str] | None = None):
    """Run the notebook at `path` top to bottom on a fresh ipykernel whose working directory is `cwd`;
    returns the executed notebook (nbformat) and raises nbclient's CellExecutionError on a failing cell.

    `timeout` is per cell (nbclient's default waits forever). `env`: extra variables for the kernel."""
    import nbformat
    from nbclient import NotebookClient

    apply_zmq_wakeup_fix()
    notebook = nbformat.read(str(path), as_version=4)
    saved = dict(os.environ)
    os.environ.update(env or {})  # the kernel inherits this process's environment
    try:
        NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=timeout,
            startup_timeout=90,
            resources={"metadata": {"path": str(cwd)}},
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return notebook


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(process: subprocess.Popen, port: int, log: Path, timeout: float = 90.0) -> None:
    """A TCP probe only: an HTTP GET of the notebook URL would start (and leak) a kernel."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"voila exited early with code {process.returncode}; its log:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"voila did not listen on 127.0.0.1:{port} within {timeout:.0f} s; log: {log}")


def _stop(process: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM Voila by its own pid (it shuts its kernels down), then end leftover kernels by pid."""
    import psutil

    if process.poll() is not None:
        return
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    for child in children:
        try:
            child.wait(timeout=5)
        except psutil.TimeoutExpired:
            child.kill()
        except psutil.NoSuchProcess:
            pass


@contextmanager
def voila_server(notebook: Path, scratch: Path) -> Iterator[str]:
    """Serve `notebook` with Voila on 127.0.0.1 (a free port) while the block runs; yields the page's URL.

    Jupyter's state lives under `scratch`; the server's log is `scratch/voila.log` (its tail is in
    the error when Voila fails to start). The notebook's folder is Voila's root and the kernel's cwd."""
    scratch.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **jupyter_environment(scratch / "jupyter")}
    port = _free_port()
    log = scratch / "voila.log"
    command = [
        sys.executable,
        str(HERE / "voila_launcher.py"),
        notebook.name,
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        "--show_tracebacks=True",
    ]
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            command, cwd=notebook.parent, env=env, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        _wait_for_port(process, port, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        _stop(process)
