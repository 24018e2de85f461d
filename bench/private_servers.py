"""A Redis and a PostgreSQL of the restarts campaign's own, which it may stop and start at will.

Never the machine's shared servers: Redis runs with no persistence (`--save ""`,
what a broker-only Redis commonly is: a restart loses every queued message) on
its own port, PostgreSQL is a throwaway cluster (`initdb` into a temporary
directory, trust auth on 127.0.0.1 only) on its own port. Both are described by
environment variables (`PB_RESTART_*`) so the pytest process the launcher starts
can restart them (bench/soak_restarts.py).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from testing.waits import poll_until

REDIS_PORT = int(os.environ.get("PB_RESTART_REDIS_PORT", "23379"))
POSTGRES_PORT = int(os.environ.get("PB_RESTART_POSTGRES_PORT", "23432"))
READY_SECONDS = 30.0


def _wait_port(port: int, *, up: bool) -> None:

    def as_wanted() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return up
        except OSError:
            return not up

    if not poll_until(as_wanted, timeout=READY_SECONDS):
        raise RuntimeError(f"port {port} still {'closed' if up else 'open'} after {READY_SECONDS}s")


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(f"no PostgreSQL {name} found (/usr/lib/postgresql/*/bin or PATH)")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class PrivateRedis:
    """redis-server on REDIS_PORT, no persistence; `restart` loses whatever it held, as such a Redis does.

    Daemonized with a pid file in `directory`, so the campaign's pytest process can stop the server
    the launcher started (by that pid only) and start it again.
    """

    directory: Path
    port: int = REDIS_PORT

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.directory / "redis.pid"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--daemonize", "yes", "--pidfile", str(self.pidfile)]
        command += ["--logfile", str(self.directory / "redis.log"), "--dir", str(self.directory)]
        subprocess.run(command, check=True)
        _wait_port(self.port, up=True)

    def stop(self) -> None:
        if self.pidfile.exists():
            os.kill(int(self.pidfile.read_text().strip()), signal.SIGTERM)
        _wait_port(self.port, up=False)


@dataclass
class PrivatePostgres:
    """A throwaway cluster in `directory` on POSTGRES_PORT (trust auth, 127.0.0.1 only)."""

    directory: Path
    port: int = POSTGRES_PORT

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/patchbay"

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        initdb = [_postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]
        subprocess.run(_as_postgres(initdb), check=True, stdout=subprocess.DEVNULL)

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        command = [_postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"), "-w"]
        subprocess.run(_as_postgres([*command, "-o", options, *args]), check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self._ctl("start")
        _wait_port(self.port, up=True)

    def stop(self) -> None:
        """A fast shutdown: every session is cut, as when the database server restarts."""
        self._ctl("stop", "-m", "fast")
        _wait_port(self.port, up=False)


def start_all() -> tuple[PrivateRedis, PrivatePostgres]:
    """Both servers up, the `patchbay` database created; the environment the campaign's pytest needs set."""
    directory = Path(tempfile.mkdtemp(prefix="pb-restarts-"))
    redis, postgres = PrivateRedis(directory), PrivatePostgres(directory)
    redis.start()
    postgres.create()
    postgres.start()
    createdb = [_postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres"]
    subprocess.run([*createdb, "patchbay"], check=True)
    return redis, postgres


def environment(redis: PrivateRedis, postgres: PrivatePostgres) -> dict[str, str]:
    return {
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "PB_RESTART_REDIS_PORT": str(redis.port),
        "PB_RESTART_POSTGRES_PORT": str(postgres.port),
        "PB_RESTART_DIR": str(postgres.directory),
    }


def from_environment() -> tuple[PrivateRedis, PrivatePostgres]:
    """The servers the launcher started (bench/restarts.py), as its environment describes them."""
    directory = os.environ.get("PB_RESTART_DIR")
    if not directory:
        raise RuntimeError("run the restarts campaign through `make soak-restarts` (bench/restarts.py)")
    return PrivateRedis(Path(directory)), PrivatePostgres(Path(directory))
