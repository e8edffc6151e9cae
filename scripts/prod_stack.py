"""The production topology on one machine: two Rasa servers and two action servers behind
nginx, sharing a PostgreSQL tracker store and a Redis lock store, and the API on PostgreSQL.

Used by `make run-prod` and by tests/prod/. Configuration comes from the environment only
(see docs/production.md); the defaults below point at a PostgreSQL and a Redis on this
machine. nginx runs in the foreground with a generated configuration under the stack's var
folder, on free ports: it is never the system's nginx service.

`python -m scripts.prod_stack render-nginx` writes deploy/nginx.conf, the same template
rendered with the compose service names.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jinja2
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url

from scripts.stack import (
    ROOT,
    Service,
    Stack,
    actions_command,
    api_command,
    free_port,
    rasa_command,
    stack_environment,
    supervise,
)

TEMPLATES = ROOT / "deploy" / "nginx"
COMPOSE_NGINX_CONF = ROOT / "deploy" / "nginx.conf"

PRODUCTION_DEFAULTS = {
    "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/lot_api",
    "TRACKER_STORE_URL": "postgresql://postgres@127.0.0.1:5432/lot_rasa",
    "LOCK_STORE_TYPE": "bot.stores.lock_store.RedisLockStore",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_DB": "1",
    "API_WORKERS": "2",
    # A killed Rasa server leaves its lock tickets behind; the other server waits for them to
    # expire before it takes the conversation over (Rasa's default is 60 s).
    "TICKET_LOCK_LIFETIME": "20",
    "LOG_JSON": "true",
}

# deploy/compose.yml's services, as nginx sees them on the compose network.
COMPOSE_NGINX = {
    "rasa_servers": ["rasa-1:5005", "rasa-2:5005"],
    "action_servers": ["actions-1:5055", "actions-2:5055"],
    "api_servers": ["api:8000"],
    "tls": True,
    "http_listen": "80",
    "public_listen": "443 ssl",
    "server_name": "_",
    "tls_certificate": "/etc/nginx/tls/fullchain.pem",
    "tls_certificate_key": "/etc/nginx/tls/privkey.pem",
    "rasa_private_listen": "5005",
    "actions_private_listen": "5055",
}


def render(template: str, **context: Any) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - nginx configuration, not HTML
    )
    return environment.get_template(template).render(**context)


def render_compose_nginx() -> str:
    return render("lot-assistant.conf.j2", **COMPOSE_NGINX)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
    )


def ensure_nginx() -> str:
    """nginx from Debian's package when missing (root only); raises with the reason otherwise."""
    found = nginx_binary()
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise RuntimeError("nginx is not installed (as root: apt-get install -y nginx).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "nginx"]):
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {completed.stderr[-500:]}")
    found = nginx_binary()
    if not found:
        raise RuntimeError("apt-get installed nginx but no nginx binary was found.")
    return found


def ensure_database(url: str) -> None:
    """Creates the PostgreSQL database of `url` when it does not exist yet."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return
    name = parsed.database
    admin = create_engine(
        parsed.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def admin_engine(server: URL) -> Engine:
    """A connection to the server's `postgres` database, for creating and dropping others."""
    return create_engine(
        server.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
        # The fault tests restart PostgreSQL between the set-up and the clean-up.
        pool_pre_ping=True,
    )


@contextmanager
def throwaway_databases(server: URL, prefix: str) -> Iterator[dict[str, str]]:
    """The API's and Rasa's databases, new on `server` with a random suffix, dropped after."""
    suffix = uuid.uuid4().hex[:10]
    names = {"api": f"lot_api_{prefix}_{suffix}", "rasa": f"lot_rasa_{prefix}_{suffix}"}
    admin = admin_engine(server)
    with admin.connect() as connection:
        for name in names.values():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {
            "DATABASE_URL": server.set(
                drivername="postgresql+psycopg", database=names["api"]
            ).render_as_string(hide_password=False),
            "TRACKER_STORE_URL": server.set(
                drivername="postgresql", database=names["rasa"]
            ).render_as_string(hide_password=False),
        }
    finally:
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def redis_lock_store(redis_url: str) -> dict[str, str]:
    """The settings that put Rasa's lock store on the Redis of `redis_url`."""
    url = urlparse(redis_url)
    return {
        "LOCK_STORE_TYPE": "bot.stores.lock_store.RedisLockStore",
        "REDIS_HOST": url.hostname or "127.0.0.1",
        "REDIS_PORT": str(url.port or 6379),
        "REDIS_DB": url.path.lstrip("/") or "0",
        "REDIS_PASSWORD": url.password or "",
    }


@dataclass
class ProdStack(Stack):
    rasa_servers: int = 2
    action_servers: int = 2
    rasa_ports: list[int] = field(default_factory=list)
    actions_ports: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        base = {**os.environ, **self.overrides}
        for key, value in PRODUCTION_DEFAULTS.items():
            base.setdefault(key, value)
        host = base.setdefault("STACK_HOST", "127.0.0.1")
        for name in ("PUBLIC_PORT", "RASA_LB_PORT", "ACTIONS_LB_PORT", "API_PORT"):
            base.setdefault(name, str(free_port()))
        base.setdefault("RASA_URL", f"http://{host}:{base['RASA_LB_PORT']}")
        base.setdefault("ACTIONS_URL", f"http://{host}:{base['ACTIONS_LB_PORT']}/webhook")
        base.setdefault("PUBLIC_BASE_URL", f"http://{host}:{base['PUBLIC_PORT']}")
        # The website's widget reaches socket.io through nginx, like every visitor request.
        base.setdefault("RASA_PUBLIC_URL", base["PUBLIC_BASE_URL"])
        self.env = stack_environment(self.var_dir, base)
        self.rasa_ports = [free_port() for _ in range(self.rasa_servers)]
        self.actions_ports = [free_port() for _ in range(self.action_servers)]

    @property
    def public_url(self) -> str:
        return f"http://{self.env['STACK_HOST']}:{self.env['PUBLIC_PORT']}"

    @property
    def rasa_server_urls(self) -> list[str]:
        return [f"http://{self.env['STACK_HOST']}:{port}" for port in self.rasa_ports]

    def _services(self) -> list[Service]:
        env = self.env
        host = env["STACK_HOST"]
        services = [
            Service(
                "api",
                api_command(env, env["API_PORT"], "--workers", env["API_WORKERS"]),
                f"{env['API_URL']}/health",
            )
        ]
        for number, port in enumerate(self.actions_ports, start=1):
            services.append(
                Service(
                    f"actions-{number}",
                    actions_command(str(port)),
                    f"http://{host}:{port}/health",
                    # Each action server delivers its own saved handoffs.
                    env={"ACTIONS_OUTBOX_DIR": str(self.var_dir / f"outbox-{number}")},
                )
            )
        for number, port in enumerate(self.rasa_ports, start=1):
            services.append(
                Service(
                    f"rasa-{number}",
                    rasa_command(env, str(port), self.model_path),
                    f"http://{host}:{port}/",
                )
            )
        nginx_dir = self.var_dir / "nginx"
        services.append(
            Service(
                "nginx",
                [ensure_nginx(), "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")],
                f"{self.public_url}/lb-health",
            )
        )
        return services

    def write_nginx_config(self) -> None:
        host = self.env["STACK_HOST"]
        nginx_dir = self.var_dir / "nginx"
        for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (nginx_dir / "tmp" / folder).mkdir(parents=True, exist_ok=True)
        log_dir = self.var_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        (nginx_dir / "lot-assistant.conf").write_text(
            render(
                "lot-assistant.conf.j2",
                rasa_servers=[f"{host}:{port}" for port in self.rasa_ports],
                action_servers=[f"{host}:{port}" for port in self.actions_ports],
                api_servers=[f"{host}:{self.env['API_PORT']}"],
                tls=False,
                public_listen=f"{host}:{self.env['PUBLIC_PORT']}",
                server_name="localhost",
                rasa_private_listen=f"{host}:{self.env['RASA_LB_PORT']}",
                actions_private_listen=f"{host}:{self.env['ACTIONS_LB_PORT']}",
            )
        )
        (nginx_dir / "nginx.conf").write_text(
            render(
                "local-main.conf.j2",
                var_dir=nginx_dir,
                log_dir=log_dir,
                run_as_root=os.geteuid() == 0,
            )
        )

    def start(self, timeout_s: float = 600.0) -> None:
        ensure_database(self.env["DATABASE_URL"])
        ensure_database(self.env["TRACKER_STORE_URL"])
        self.write_nginx_config()
        super().start(timeout_s)

    def kill_service(self, name: str) -> None:
        """SIGKILL, as a crash: no clean shutdown, locks and connections left behind."""
        for service in self.services:
            if service.name == name and service.process is not None:
                os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait()


def run_forever() -> int:
    stack = ProdStack()
    print("Démarrage du mode production local (2 Rasa, 2 serveurs d'actions, nginx)…", flush=True)
    stack.start()
    env = stack.env
    print(
        "\nTout est prêt :\n"
        f"  Adresse publique (nginx)  {stack.public_url}\n"
        f"  Rasa (REST)               {stack.public_url}/webhooks/rest/webhook\n"
        f"  Rasa (API HTTP, privée)   {env['RASA_URL']}\n"
        f"  Base de l'API             {make_url(env['DATABASE_URL']).render_as_string()}\n"
        f"  Journaux                  {stack.var_dir / 'logs'}\n"
        "Ctrl-C pour tout arrêter.",
        flush=True,
    )
    return supervise(stack)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["run", "render-nginx"])
    args = parser.parse_args()
    if args.command == "render-nginx":
        COMPOSE_NGINX_CONF.write_text(render_compose_nginx())
        print(f"Écrit : {COMPOSE_NGINX_CONF}")
        return 0
    return run_forever()


if __name__ == "__main__":
    sys.exit(main())
