"""The deployment files agree with the locally tested production mode.

The compose set-up cannot run here (no container engine); these checks keep it in step with
what tests/prod/ exercises: the same nginx template, the same environment variables.
"""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts.prod_stack import (
    COMPOSE_NGINX,
    COMPOSE_NGINX_CONF,
    ProdStack,
    ensure_nginx,
    render_compose_nginx,
)
from scripts.stack import ROOT

DEPLOY = ROOT / "deploy"
SECRETS = ("RASA_TOKEN", "BOT_API_TOKEN", "ADMIN_TOKEN", "SESSION_SECRET", "POSTGRES_PASSWORD")


def env_example() -> dict[str, str]:
    lines = (DEPLOY / "production.env.example").read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def test_compose_nginx_conf_is_the_tested_template_rendered_for_compose() -> None:
    assert COMPOSE_NGINX_CONF.read_text() == render_compose_nginx(), (
        "deploy/nginx.conf is stale: python -m scripts.prod_stack render-nginx"
    )


def test_nginx_upstreams_are_the_compose_services() -> None:
    services = yaml.safe_load((DEPLOY / "compose.yml").read_text())["services"]
    upstreams = [
        *COMPOSE_NGINX["rasa_servers"],
        *COMPOSE_NGINX["action_servers"],
        *COMPOSE_NGINX["api_servers"],
    ]
    for upstream in upstreams:
        assert str(upstream).split(":")[0] in services


def test_production_env_example_sets_every_variable_rasa_needs() -> None:
    needed = set(re.findall(r"\$\{(\w+)\}", (ROOT / "endpoints.yml").read_text()))
    assert needed <= set(env_example())


def test_production_env_example_ships_no_secret() -> None:
    example = env_example()
    assert {name: example[name] for name in SECRETS} == dict.fromkeys(SECRETS, "")


def test_local_production_nginx_configuration_is_accepted_by_nginx(tmp_path: Path) -> None:
    # Installed like the production-topology tests do: this file runs before them.
    try:
        nginx = ensure_nginx()
    except RuntimeError as error:
        pytest.skip(f"nginx is missing and cannot be installed: {error}")
    stack = ProdStack(var_dir=tmp_path)
    stack.write_nginx_config()
    conf = tmp_path / "nginx" / "nginx.conf"
    completed = subprocess.run(
        [nginx, "-t", "-p", str(conf.parent), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


def test_the_login_is_rate_limited_by_nginx_per_client_address() -> None:
    conf = COMPOSE_NGINX_CONF.read_text()
    zone = re.search(r"limit_req_zone \$binary_remote_addr zone=login:\S+ rate=(\d+)r/m;", conf)
    login = re.search(r"location = /connexion \{(.*?)\}", conf, re.DOTALL)
    assert zone is not None
    assert login is not None
    assert "limit_req zone=login" in login.group(1)
    assert "limit_req_status 429;" in login.group(1)


def test_production_env_example_declares_a_production_run() -> None:
    # The API and the action servers then refuse default secrets and send secure cookies.
    assert env_example()["ENVIRONMENT"] == "production"


def test_no_private_port_is_published_by_compose() -> None:
    services = yaml.safe_load((DEPLOY / "compose.yml").read_text())["services"]
    published = [str(port) for service in services.values() for port in service.get("ports", [])]
    assert not [port for port in published if "5055" in port or "5005" in port]
