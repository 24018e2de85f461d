"""Sending one request and measuring it: status, seconds, peak memory of the web server, bytes answered.

Requests go over a plain socket (`Connection: close`, as gunicorn's sync workers answer anyway) so a
body can be streamed and the sending stopped as soon as the server answers: a refused 200 MB upload
shows how far it got before the 413, not a broken pipe.

Memory is the resident set size (RSS) of the web server processes, read from `/proc`: before a
request each process's peak RSS (`VmHWM`) is reset (`echo 5 > /proc/PID/clear_refs`), after it the
new peak is read, so a spike between two samples is not missed. Where the reset is not allowed, a
thread samples `VmRSS` every 10 ms instead. The process whose peak grew most is the one that served
the request; its peak and its growth are reported. Without `/proc` (macOS) the columns say `-`.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
SAMPLE_SECONDS = 0.01


def _status_kb(pid: int, name: str) -> int | None:
    """A `kB` line of /proc/PID/status (VmRSS, VmHWM), or None when the process is gone."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def children_of(parent: int) -> list[int]:
    """Processes whose parent is `parent` (gunicorn's workers of its master)."""
    found = []
    for entry in PROC.glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # Field 4 of /proc/PID/stat, after the parenthesised command (which may hold spaces).
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return found


@dataclass
class MemoryPeak:
    """Peak RSS (kB) of processes while a block runs: `with MemoryPeak(pids) as peak: ...`."""

    pids: Callable[[], list[int]]
    before: dict[int, int] = field(default_factory=dict)
    sampled: dict[int, int] = field(default_factory=dict)
    reset: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemoryPeak:
        if not PROC.is_dir():
            return self
        watched = self.pids()
        self.reset = True
        for pid in watched:
            try:
                (PROC / str(pid) / "clear_refs").write_text("5")
            except OSError:
                self.reset = False
            rss = _status_kb(pid, "VmRSS")
            if rss is not None:
                self.before[pid] = self.sampled[pid] = rss
        if not self.reset:
            self._thread = threading.Thread(target=self._sample, args=(watched,), daemon=True)
            self._thread.start()
        return self

    def _sample(self, pids: list[int]) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            for pid in pids:
                rss = _status_kb(pid, "VmRSS")
                if rss is not None:
                    self.sampled[pid] = max(self.sampled.get(pid, 0), rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.reset:
            for pid in self.before:
                hwm = _status_kb(pid, "VmHWM")
                if hwm is not None:
                    self.sampled[pid] = hwm

    def result(self) -> tuple[int, int] | None:
        """(peak kB, growth kB) of the process that grew most, or None without measurements."""
        if not self.before:
            return None
        pid = max(self.before, key=lambda p: self.sampled.get(p, 0) - self.before[p])
        peak = self.sampled.get(pid, self.before[pid])
        return peak, peak - self.before[pid]


@dataclass
class Answer:
    """What came back: status (0 when the connection failed), headers, body, bytes of the body sent."""

    status: int
    headers: dict[str, str]
    body: bytes
    sent: int
    error: str = ""


def _read_answer(sock: socket.socket, method: str) -> tuple[int, dict[str, str], bytes]:
    response = http.client.HTTPResponse(sock, method=method)
    response.begin()
    body = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def _stream(sock: socket.socket, chunks: Iterator[bytes], timeout: float) -> int:
    """Send `chunks` until they end or the server answers (or closes); the bytes sent."""
    sent = 0
    for chunk in chunks:
        view = memoryview(chunk)
        while view:
            readable, writable, _ = select.select([sock], [sock], [], timeout)
            if readable:
                return sent  # the server answered before the whole body was sent
            if not writable:
                raise TimeoutError("the server stopped reading the body")
            count = sock.send(view[: 64 * 1024])
            view = view[count:]
            sent += count
    return sent


def _chunked(chunks: Iterator[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        if chunk:
            yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    yield b"0\r\n\r\n"


def send(
    host: str,
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | Iterable[bytes] = b"",
    length: int | None = None,
    timeout: float = 120.0,
    chunked: bool = False,
) -> Answer:
    """One HTTP/1.1 request; a body given as chunks is streamed and stops when the server answers.

    With `chunked`, the body is sent with `Transfer-Encoding: chunked` and no Content-Length."""
    chunks: Iterator[bytes] = iter([body]) if isinstance(body, bytes) else iter(body)
    if length is None:
        length = len(body) if isinstance(body, bytes) else 0
    head = {"Host": f"{host}:{port}", "Connection": "close", "User-Agent": "patchbay-soak"}
    head.update(headers or {})
    if chunked:
        head["Transfer-Encoding"] = "chunked"
        chunks = _chunked(chunks)
    elif method in ("POST", "PUT", "PATCH") or length:
        head["Content-Length"] = str(length)
    request = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n"
    sent = 0
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sending_error = ""
        try:
            sock.sendall(request.encode("latin-1"))
            sent = _stream(sock, chunks, timeout)
        except OSError as error:  # reset or broken pipe: the answer may still be readable
            sending_error = f"{type(error).__name__} while sending the body"
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        try:
            status, answer_headers, answer_body = _read_answer(sock, method)
        except (OSError, http.client.HTTPException) as error:
            return Answer(0, {}, b"", sent, sending_error or f"{type(error).__name__}: {error}")
    return Answer(status, answer_headers, answer_body, sent)


@dataclass
class Measured:
    """One request as measured: its answer, seconds, and (peak, growth) kB of the web server."""

    answer: Answer
    seconds: float
    memory: tuple[int, int] | None


def measure(pids: Callable[[], list[int]], request: Callable[[], Answer]) -> Measured:
    """Run `request` while watching the memory of `pids()`."""
    with MemoryPeak(pids) as peak:
        started = time.perf_counter()
        try:
            answer = request()
        except OSError as error:
            answer = Answer(0, {}, b"", 0, f"{type(error).__name__}: {error}")
        seconds = time.perf_counter() - started
    return Measured(answer, seconds, peak.result())


def this_process() -> list[int]:
    """The pids to watch when the server runs inside this process (tests' live_server)."""
    return [os.getpid()]
