"""A fleet on one machine: nginx in front of two gunicorn instances sharing PostgreSQL and Redis.

`make fleet-up` (this script) starts it and serves until Ctrl-C, for a person to look at;
`make fleet` runs the tests marked `fleet`, which start it and prove that the instances never
disagree (tests/fleet/). Everything runs as this user's processes on loopback
ports with its own directory for nginx's config, pid, logs and cache: the system's nginx service
is never touched, and the database is a fresh one, dropped afterwards. PostgreSQL and Redis are
the machine's (DATABASE_ADMIN_URL, REDIS_URL).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# `python deploy/fleet.py` puts deploy/ first on the path; the settings live at the root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import nginx_body_limit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_MODULES = Path("/usr/lib/nginx/modules")
NEEDED_MODULES = (
    "ngx_http_cache_purge_module.so",
    "ngx_http_brotli_static_module.so",
    "ngx_http_brotli_filter_module.so",
)
ADMIN_URL = os.environ.get(
    "DATABASE_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("FLEET_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def missing() -> list[str]:
    """What this machine lacks to run a fleet (empty: it can)."""
    gaps = []
    if not Path(NGINX).exists():
        gaps.append("nginx (apt-get install nginx)")
    for module in NEEDED_MODULES:
        if not (NGINX_MODULES / module).exists():
            package = "libnginx-mod-http-" + module.removeprefix("ngx_http_").removesuffix(
                "_module.so"
            ).replace("_", "-")
            gaps.append(f"{module} (apt-get install {package})")
    if not reachable("127.0.0.1", 5432):
        gaps.append("PostgreSQL on 127.0.0.1:5432")
    if not reachable("127.0.0.1", 6379):
        gaps.append("Redis on 127.0.0.1:6379")
    return gaps


def wait_for(url: str, *, timeout: float = 30, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _database(admin_url: str, sql: str) -> None:
    import psycopg

    url = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@dataclass
class Instance:
    """One gunicorn instance: its port, process and log."""

    name: str
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Fleet:
    """nginx and `instances` app servers on a fresh database; a context manager."""

    instances: int = 2
    workers: int = 2
    threads: int = 4
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="vetted-fleet-")))
    database: str = field(default_factory=lambda: f"vetted_fleet_{secrets.token_hex(5)}")
    servers: list[Instance] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    port: int = field(default_factory=free_port)
    purge_port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return ADMIN_URL.rsplit("/", 1)[0] + f"/{self.database}"

    def environment(self, **extra: str) -> dict[str, str]:
        """What every app server gets: production settings, one database, one Redis."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "FLASK_"))}
        env.update(
            VETTED_ENV="production",
            SECRET_KEY=self.secret_key,
            DATABASE_URL=self.database_url,
            REDIS_URL=REDIS_URL,
            RATELIMIT_KEY_PREFIX=self.database,
            TRUSTED_PROXIES="1",
            CACHE_PURGE_URLS=f"http://127.0.0.1:{self.purge_port}",
            SESSION_COOKIE_SECURE="0",  # plain HTTP on loopback; production sets it
            FLASK_APP="app",
        )
        env.update(extra)
        return env

    def __post_init__(self) -> None:
        self.secret_key = secrets.token_hex(32)
        for sub in ("logs", "run", "cache"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)

    def __enter__(self) -> Fleet:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def flask(self, *args: str) -> None:
        subprocess.run(
            [str(PYTHON), "-m", "flask", *args],
            cwd=ROOT,
            env=self.environment(),
            check=True,
            capture_output=True,
            timeout=600,
        )

    def start(self) -> None:
        _database(ADMIN_URL, f'CREATE DATABASE "{self.database}"')
        self.flask("db", "upgrade")
        self.flask("seed-demo")
        # Started side by side, then waited for: each takes seconds to import and warm up.
        self.servers = [self.launch_instance(chr(ord("a") + n)) for n in range(self.instances)]
        for server in self.servers:
            wait_for(server.url + "/healthz", process=server.process)
        self.start_nginx()

    def start_instance(self, name: str, *, port: int | None = None, **env: str) -> Instance:
        """A gunicorn instance with deploy/gunicorn.conf.py, as production runs it, answering."""
        instance = self.launch_instance(name, port=port, **env)
        wait_for(instance.url + "/healthz", process=instance.process)
        return instance

    def launch_instance(self, name: str, *, port: int | None = None, **env: str) -> Instance:
        """Start a gunicorn instance without waiting for it to answer."""
        instance = Instance(name, port or free_port(), self.directory / "logs" / f"app-{name}.log")
        with instance.log.open("ab") as log:
            instance.process = subprocess.Popen(
                [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "app:create_app()"],
                cwd=ROOT,
                env=self.environment(
                    PORT=str(instance.port),
                    WORKERS=str(self.workers),
                    THREADS=str(self.threads),
                    **env,
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return instance

    def nginx_config(self) -> str:
        template = string.Template((ROOT / "deploy" / "nginx.conf.template").read_text())
        upstreams = "\n".join(
            f"        server 127.0.0.1:{s.port} max_fails=3 fail_timeout=5s;" for s in self.servers
        )
        as_root = os.geteuid() == 0
        return template.substitute(
            modules=NGINX_MODULES,
            # nginx started by root runs its workers as nobody: it never serves as root.
            user_directive="user nobody nogroup;" if as_root else "",
            worker_processes=1,
            run_dir=self.directory / "run",
            log_dir=self.directory / "logs",
            cache_dir=self.directory / "cache",
            upstream_servers=upstreams,
            listen=f"127.0.0.1:{self.port}",
            server_name="127.0.0.1 localhost",
            public_host=f"127.0.0.1:{self.port}",
            purge_listen=f"127.0.0.1:{self.purge_port}",
            purge_allow="            allow 127.0.0.1;",
            static_dir=self.directory / "static",
            client_max_body_size=nginx_body_limit(),
        )

    def install_static(self) -> Path:
        """Copy the release's static files where nginx's workers can read them, as a deploy
        installs them: the checkout may sit in a folder only its owner can enter (`mktemp -d`,
        root's home), and nginx started by root serves as nobody."""
        target = self.directory / "static"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "static", target)
        for folder, _subfolders, files in os.walk(target):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        return target

    def start_nginx(self) -> None:
        self.install_static()
        config = self.directory / "nginx.conf"
        config.write_text(self.nginx_config())
        if os.geteuid() == 0:
            for sub in ("run", "cache"):
                shutil.chown(self.directory / sub, "nobody", "nogroup")
            self.directory.chmod(0o755)
        with (self.directory / "logs" / "nginx.out").open("ab") as out:
            self.nginx = subprocess.Popen(
                [NGINX, "-p", str(self.directory), "-c", str(config), "-e", "logs/error.log"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(self.url + "/healthz", process=self.nginx)

    def stop(self) -> None:
        """Stop what this fleet started (by process, never by name) and drop its database."""
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.nginx.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        for server in self.servers:
            stop_instance(server)
        try:
            _database(ADMIN_URL, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except Exception as error:  # cleanup goes on whatever failed
            print(f"could not drop {self.database}: {error}", file=sys.stderr)


def stop_instance(instance: Instance, *, timeout: float = 40) -> int | None:
    """TERM a gunicorn instance (it finishes requests in flight) and wait for it."""
    process = instance.process
    if process is None or process.poll() is not None:
        return process.returncode if process else None
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=2)
    args = parser.parse_args()
    if gaps := missing():
        sys.exit("The fleet needs: " + "; ".join(gaps))
    with Fleet(instances=args.instances) as fleet:
        print(f"nginx:     {fleet.url}  (logs and cache in {fleet.directory})")
        for server in fleet.servers:
            print(f"app {server.name}:     {server.url}")
        print(f"database:  {fleet.database} (dropped on exit); Ctrl-C stops everything")
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
