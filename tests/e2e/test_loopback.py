"""The local stack listens on the loopback interface only: the action server and Rasa's
HTTP API trust whoever reaches them, so nobody else on the network may."""

import psutil
import pytest

from scripts.stack import Stack

pytestmark = pytest.mark.e2e

LOOPBACK = {"127.0.0.1", "::1"}


def _listening_addresses(pid: int) -> set[str]:
    root = psutil.Process(pid)
    addresses = set()
    for process in [root, *root.children(recursive=True)]:
        for connection in process.net_connections(kind="inet"):
            if connection.status == psutil.CONN_LISTEN:
                addresses.add(connection.laddr.ip)
    return addresses


def test_every_process_of_the_local_stack_listens_on_loopback_only(stack: Stack) -> None:
    listening = {}
    for service in stack.services:
        assert service.process is not None
        listening[service.name] = _listening_addresses(service.process.pid)

    assert set(listening) == {"api", "actions", "rasa"}
    for name, addresses in listening.items():
        assert addresses, f"{name} listens nowhere"
        assert addresses <= LOOPBACK, f"{name} listens on {sorted(addresses - LOOPBACK)}"
