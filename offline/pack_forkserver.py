"""Pack processes forked from one warm process: a test session's many pack starts without their imports.

The engine starts a pack process per `pulumi preview` (stack, dry-run flag and stack config reach it through its
environment), so a test session starts about thirty, and each imports pulumi, grpc, pulumi_policy, the IAM
database and the guardrails again: ~0.45 s of CPU a start. The fork server (this file run as a script, one per
`PolicyHarness(fork=True)`; a test session shares one with every harness made without `fork=`, the offline
preview's included: `fork_packs_from`) imports them once, then forks a child per start. The child takes that start's
environment, working directory, arguments and standard streams and runs `python -u -m pulumi.policy <engine>
<pack>` as the engine's command does (`runpy`): a separate process that prints its port and serves gRPC like any
other start, and exits or is terminated on its own. Nothing of the pack's configuration is read before the
fork: the pulumi SDK and pulumi_policy read the environment when the pack starts serving and at each call.

`ForkedProcess` is the harness's handle on a child, shaped like the `subprocess.Popen` it replaces (pid,
stdout, stderr, poll, wait, terminate, kill, returncode). The server reaps its children and reports their exit
status on request; when the harness's end of the socket closes (the harness closed, or its process died) it
kills every child still running and exits.

Standalone on purpose: run as a script, it imports nothing of this project but the pack it serves.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import runpy
import select
import signal
import socket
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import IO, Any, NoReturn

SUPPORTED = sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(socket, "SOCK_SEQPACKET")
"""Linux only (pidfds, sequenced-packet Unix sockets): elsewhere the harness starts each pack plainly."""
_MAX_MESSAGE = 1 << 22
"""A start request carries the whole environment (the stack config is in it): generous."""


# -- the harness's side ---------------------------------------------------------------------------------
class ForkServer:
    """One warm process forking pack processes for `pack_dir` on request."""

    def __init__(self, pack_dir: Path, python: str | None = None) -> None:
        self.pack_dir = pack_dir
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._socket = ours
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [python or sys.executable, __file__, str(theirs.fileno()), str(pack_dir)],
            cwd=pack_dir,
            stdin=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
        )
        theirs.close()

    def _ask(self, request: dict[str, Any], fds: tuple[int, ...] = ()) -> Any:
        with self._lock:
            socket.send_fds(self._socket, [json.dumps(request).encode()], list(fds))
            answer = self._socket.recv(_MAX_MESSAGE)
        if not answer:
            raise OSError(f"the pack fork server for {self.pack_dir} exited (status {self.process.poll()})")
        return json.loads(answer)

    def start(self, argv: list[str], env: dict[str, str], cwd: Path) -> ForkedProcess:
        """A new pack process: `argv` after the interpreter (`-u -m pulumi.policy <engine> <pack>`), its
        environment and working directory; its stdout and stderr are pipes read as text."""
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        try:
            pid = self._ask({"op": "start", "argv": argv, "env": env, "cwd": str(cwd)}, (stdout_write, stderr_write))
        finally:
            os.close(stdout_write)
            os.close(stderr_write)
        return ForkedProcess(self, pid, os.fdopen(stdout_read), os.fdopen(stderr_read))

    def status(self, pid: int) -> int | None:
        """A child's exit code once it has ended (negative: the signal that ended it); None while it runs."""
        return self._ask({"op": "status", "pid": pid})

    def close(self) -> None:
        """Stop the server; it kills any child still running."""
        with contextlib.suppress(OSError):
            self._socket.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def running(self) -> bool:
        return self.process.poll() is None


class ForkedProcess:
    """A forked pack process, handled like the `subprocess.Popen` of a plain start."""

    def __init__(self, server: ForkServer, pid: int, stdout: IO[str], stderr: IO[str]) -> None:
        self.server, self.pid, self.stdout, self.stderr = server, pid, stdout, stderr
        self.returncode: int | None = None
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # already ended and reaped
            self._pidfd = None

    def _ended(self, timeout: float | None) -> bool:
        if self._pidfd is None:
            return True
        readable, _, _ = select.select([self._pidfd], [], [], timeout)
        return bool(readable)

    def poll(self) -> int | None:
        if self.returncode is None and self._ended(0):
            self.returncode = self._status()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not self._ended(timeout):
                raise subprocess.TimeoutExpired(f"pack process {self.pid}", timeout or 0)
            self.returncode = self._status()
        return self.returncode

    def _status(self) -> int:
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None
        status = None
        with contextlib.suppress(OSError):
            status = self.server.status(self.pid)
        return status if status is not None else -signal.SIGKILL  # the server is gone, and its children with it

    def send_signal(self, number: int) -> None:
        if self._pidfd is not None and self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


# -- the server's side ----------------------------------------------------------------------------------
def _preload(pack_dir: Path) -> None:
    """Import what every pack process imports, as a pack process would find it (the pack directory first on the
    path, as `python -m` run from there puts it), and load the IAM database; then freeze the heap, so the
    children share it untouched."""
    sys.path[0] = str(pack_dir)
    import pulumi.runtime  # noqa: F401  # pyright: ignore[reportUnusedImport]
    import pulumi_policy  # noqa: F401  # pyright: ignore[reportUnusedImport]

    if (pack_dir / "guardrails" / "__init__.py").is_file():
        from guardrails import iam_catalog  # pyright: ignore[reportMissingImports]

        iam_catalog.load()
    gc.collect()
    gc.freeze()


def _become_pack(request: dict[str, Any], stdout: int, stderr: int) -> NoReturn:
    """In the child: take the start's streams, environment, directory and arguments, and run the command."""
    code: Any = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        for source, target in ((devnull, 0), (stdout, 1), (stderr, 2)):
            os.dup2(source, target)
            os.close(source)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
        # `-u`: both streams unbuffered (pulumi_policy writes its port to sys.stdout.buffer and never flushes)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True, errors="backslashreplace")
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        argv = list(request["argv"])
        if argv[:1] == ["-u"]:
            argv = argv[1:]
        if argv[:2] != ["-m", "pulumi.policy"]:
            raise SystemExit(f"the pack fork server runs `-m pulumi.policy ...`, not {argv}")
        sys.argv = ["-m", *argv[2:]]
        runpy.run_module("pulumi.policy", run_name="__main__", alter_sys=True)
    except SystemExit as exit:
        code = exit.code
        if code is not None and not isinstance(code, int):
            sys.stderr.write(f"{code}\n")
            code = 1
    except BaseException:  # as the interpreter would: the traceback on stderr, exit 1
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
    os._exit(code or 0)


def serve(channel: socket.socket, pack_dir: Path) -> None:
    """Answer start and status requests until the harness's end closes; then kill the children left."""
    ended: dict[int, int | None] = {}  # pid -> exit code, None while running

    def reap(*_: object) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            ended[pid] = os.waitstatus_to_exitcode(status)

    signal.signal(signal.SIGCHLD, reap)
    _preload(pack_dir)
    while True:
        message, fds, _, _ = socket.recv_fds(channel, _MAX_MESSAGE, 2)
        if not message:
            break
        request = json.loads(message)
        if request["op"] == "status":
            reap()
            channel.send(json.dumps(ended.get(request["pid"])).encode())
            continue
        pid = os.fork()
        if pid == 0:
            channel.close()
            _become_pack(request, *fds)
        for fd in fds:
            os.close(fd)
        ended.setdefault(pid, None)  # the reaper may have recorded it already
        channel.send(json.dumps(pid).encode())
    for pid, code in list(ended.items()):
        if code is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])), Path(sys.argv[2]))
