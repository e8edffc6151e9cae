"""Starts the API, the action server and the Rasa server, waits for their health checks,
and stops all three together. Used by `make run` and by the end-to-end tests.

Every port, URL and secret comes from the environment; the defaults below are the
embedded local set-up (SQLite under var/, in-memory lock store).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "models" / "lot-assistant.tar.gz"
APP_BIN = ROOT / ".venv" / "bin"
BOT_BIN = ROOT / ".venv-bot" / "bin"
SECRET_NAMES = ("RASA_TOKEN", "BOT_API_TOKEN", "ADMIN_TOKEN", "SESSION_SECRET")
# How long a service may take to shut down cleanly before it is killed.
STOP_TIMEOUT_S = 15.0
# A Rasa server loads TensorFlow and its model: on a CI machine running every suite side by
# side, a start or a restart has taken over two minutes.
BOOT_TIMEOUT_S = 240.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def local_secrets(var_dir: Path) -> dict[str, str]:
    """Random tokens made once per checkout, so that no shared default secret exists."""
    path = var_dir / "local-secrets.env"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{name}={secrets.token_urlsafe(32)}\n" for name in SECRET_NAMES))
        path.chmod(0o600)
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value for key, value in pairs}


def stack_environment(var_dir: Path, base: Mapping[str, str]) -> dict[str, str]:
    env = dict(base)
    for key, value in local_secrets(var_dir).items():
        env.setdefault(key, value)
    # Loopback only: the action server and Rasa's HTTP API trust whoever reaches them.
    host = env.setdefault("STACK_HOST", "127.0.0.1")
    # rasa-sdk's action server reads its interface from SANIC_HOST (it has no option).
    env.setdefault("SANIC_HOST", host)
    api_port = env.setdefault("API_PORT", "8000")
    actions_port = env.setdefault("ACTIONS_PORT", "5055")
    rasa_port = env.setdefault("RASA_PORT", "5005")
    env.setdefault("API_URL", f"http://{host}:{api_port}")
    env.setdefault("ACTIONS_URL", f"http://{host}:{actions_port}/webhook")
    env.setdefault("RASA_URL", f"http://{host}:{rasa_port}")
    env.setdefault("PUBLIC_BASE_URL", env["API_URL"])
    env.setdefault("DATABASE_URL", f"sqlite:///{var_dir / 'api.db'}")
    env.setdefault("TRACKER_STORE_URL", f"sqlite:///{var_dir / 'rasa-tracker.db'}")
    env.setdefault("LOCK_STORE_TYPE", "in_memory")
    env.setdefault("REDIS_HOST", "127.0.0.1")
    env.setdefault("REDIS_PORT", "6379")
    env.setdefault("REDIS_DB", "1")
    env.setdefault("REDIS_PASSWORD", "")
    env.setdefault("PYTHONPATH", str(ROOT))
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # One BLAS (and OpenMP) thread per process: each process serves many requests at once,
    # and on a busy small machine numpy's second OpenBLAS thread spun for CPU instead of
    # helping. The API's knowledge search took 12 ms instead of 1.6 ms, and under the open
    # loop the API used 0.5 core instead of 0.06 (bench/open_loop.py, 2 cores).
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def api_command(env: Mapping[str, str], port: str, *options: str) -> list[str]:
    return [
        str(APP_BIN / "uvicorn"),
        "api.main:app",
        *("--host", env["STACK_HOST"], "--port", port, *options, "--no-access-log"),
    ]


def actions_command(port: str) -> list[str]:
    return [str(BOT_BIN / "rasa"), "run", "actions", "--actions", "bot.actions", "--port", port]


def rasa_command(env: Mapping[str, str], port: str, model_path: Path) -> list[str]:
    """Rasa with its HTTP API behind the token (the API's live replies use it)."""
    return [
        # `rasa run`, plus the garbage collector's freeze once the model is loaded.
        str(BOT_BIN / "python"),
        "-m",
        "bot.serve",
        "run",
        "--enable-api",
        # One argument: a random token may start with "-", which argparse takes for an option.
        f"--auth-token={env['RASA_TOKEN']}",
        "--cors",
        "*",
        "--interface",
        env["STACK_HOST"],
        "--port",
        port,
        "--model",
        str(model_path),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
    ]


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    # Settings of this process only, on top of the stack's (e.g. one outbox per action server).
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Stack:
    var_dir: Path = ROOT / "var"
    model_path: Path = MODEL_PATH
    overrides: Mapping[str, str] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.env = stack_environment(self.var_dir, {**os.environ, **self.overrides})

    @property
    def api_url(self) -> str:
        return self.env["API_URL"]

    @property
    def rasa_url(self) -> str:
        return self.env["RASA_URL"]

    def _services(self) -> list[Service]:
        env = self.env
        host = env["STACK_HOST"]
        return [
            Service(
                "api",
                api_command(env, env["API_PORT"]),
                f"{env['API_URL']}/health",
            ),
            Service(
                "actions",
                actions_command(env["ACTIONS_PORT"]),
                f"http://{host}:{env['ACTIONS_PORT']}/health",
            ),
            Service(
                "rasa",
                rasa_command(env, env["RASA_PORT"], self.model_path),
                f"{env['RASA_URL']}/",
            ),
        ]

    def migrate(self) -> None:
        commands = [["migrate"]]
        # The generated, clearly marked sample openings, so that a local assistant has
        # offers to show; the command does nothing once real openings are loaded.
        if self.env.get("LOAD_SAMPLE_OPENINGS", "true").lower() == "true":
            commands.append(["load-sample-openings"])
        for command in commands:
            subprocess.run(
                [str(APP_BIN / "python"), "-m", "api.cli", *command],
                cwd=ROOT,
                env=self.env,
                check=True,
                stdout=subprocess.DEVNULL,
            )

    def start(self, timeout_s: float = BOOT_TIMEOUT_S) -> None:
        if not self.model_path.exists():
            raise SystemExit(f"No trained model at {self.model_path}: run 'make train' first.")
        self.migrate()
        log_dir = self.var_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.services = self._services()
        for service in self.services:
            service.log_path = log_dir / f"{service.name}.log"
            with service.log_path.open("wb") as log:
                service.process = subprocess.Popen(
                    service.command,
                    cwd=ROOT,
                    env={**self.env, **service.env},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        deadline = time.monotonic() + timeout_s
        for service in self.services:
            self._wait_healthy(service, deadline)

    def _wait_healthy(self, service: Service, deadline: float) -> None:
        assert service.process is not None
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                self.stop()
                raise RuntimeError(
                    f"{service.name} exited early; see {service.log_path}\n"
                    + self.log_tail(service.name)
                )
            try:
                if httpx.get(service.health_url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(
            f"{service.name} did not answer {service.health_url} in time; "
            f"see {service.log_path}\n" + self.log_tail(service.name)
        )

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.var_dir / "logs" / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop_service(self, name: str) -> None:
        for service in self.services:
            if service.name == name:
                _terminate(service)

    def restart_service(self, name: str, timeout_s: float = BOOT_TIMEOUT_S) -> None:
        for service in self.services:
            if service.name == name:
                _terminate(service)
                assert service.log_path is not None
                with service.log_path.open("ab") as log:
                    service.process = subprocess.Popen(
                        service.command,
                        cwd=ROOT,
                        env={**self.env, **service.env},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                self._wait_healthy(service, time.monotonic() + timeout_s)

    def stop(self) -> None:
        """Every service is asked to stop at once, so that their shutdowns overlap."""
        running = [service for service in reversed(self.services) if _signal(service)]
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for service in running:
            _wait_or_kill(service, deadline)


def _signal(service: Service) -> bool:
    """SIGTERM to the service's process group; False when it is not running."""
    process = service.process
    if process is None or process.poll() is not None:
        return False
    os.killpg(process.pid, signal.SIGTERM)
    return True


def _wait_or_kill(service: Service, deadline: float) -> None:
    assert service.process is not None
    try:
        service.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
    except subprocess.TimeoutExpired:
        os.killpg(service.process.pid, signal.SIGKILL)
        service.process.wait()


def _terminate(service: Service) -> None:
    if _signal(service):
        _wait_or_kill(service, time.monotonic() + STOP_TIMEOUT_S)


def run_forever() -> int:
    stack = Stack()
    print("Démarrage de l'API, du serveur d'actions et de Rasa…", flush=True)
    stack.start()
    env = stack.env
    print(
        "\nTout est prêt :\n"
        f"  API et tableau de bord  {env['API_URL']}  (documentation : {env['API_URL']}/docs)\n"
        f"  Rasa (REST)             {env['RASA_URL']}/webhooks/rest/webhook\n"
        f"  Rasa (socket.io)        {env['RASA_URL']}/socket.io/\n"
        f"  Serveur d'actions       {env['ACTIONS_URL']}\n"
        f"  Journaux                {stack.var_dir / 'logs'}\n"
        f"  Jetons locaux           {stack.var_dir / 'local-secrets.env'}\n"
        "Ctrl-C pour tout arrêter.",
        flush=True,
    )
    return supervise(stack)


def supervise(stack: Stack) -> int:
    """Waits for Ctrl-C or for one process to stop, then stops them all."""
    stopping = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stopping:
        for service in stack.services:
            if service.process is not None and service.process.poll() is not None:
                print(f"{service.name} s'est arrêté ; voir {service.log_path}", file=sys.stderr)
                stopping = True
        time.sleep(0.5)
    print("\nArrêt en cours…", flush=True)
    stack.stop()
    print("Tout est arrêté.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["run"])
    parser.parse_args()
    return run_forever()


if __name__ == "__main__":
    sys.exit(main())
