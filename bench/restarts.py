"""`make soak-restarts`: start a private Redis and PostgreSQL, run bench/soak_restarts.py on them, stop them.

`python -m bench.restarts [pytest options]`. The servers (bench/private_servers.py) listen on
127.0.0.1:23379 and :23432 (PB_RESTART_REDIS_PORT / PB_RESTART_POSTGRES_PORT to move them) and
live in a temporary directory removed at the end; the machine's own Redis and PostgreSQL are
never touched. The pytest process gets DATABASE_URL and REDIS_URL pointing at them (its test
database, its worker's broker) and restarts them mid-apply.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from bench.private_servers import environment, start_all


def main(argv: list[str]) -> int:
    redis, postgres = start_all()
    try:
        env = {**os.environ, **environment(redis, postgres)}
        command = [sys.executable, "-m", "pytest", "bench/soak_restarts.py", "-o", "python_functions=soak_*"]
        command += ["-p", "no:cacheprovider", "-q", "-s", *argv]
        return subprocess.run(command, env=env, check=False).returncode
    finally:
        for server in (postgres, redis):
            try:
                server.stop()
            except Exception as error:
                sys.stderr.write(f"stopping {type(server).__name__}: {error}\n")
        shutil.rmtree(postgres.directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
