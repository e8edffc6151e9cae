"""Command line of the API: `python -m api.cli <command>`; each area registers its commands."""

import argparse
import sys
from collections.abc import Callable, Sequence

from api.accounts.cli import register as register_accounts
from api.core.config import get_settings
from api.db_migrate import upgrade
from api.knowledge.cli import register as register_knowledge
from api.openings.cli import register as register_openings
from api.partners.cli import register as register_partners
from api.privacy.cli import register as register_privacy

Handler = Callable[[argparse.Namespace], int]


def _migrate(_args: argparse.Namespace) -> int:
    upgrade(get_settings().database_url)
    print("Base de données à jour.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(handler=_migrate)
    register_openings(commands)
    register_partners(commands)
    register_knowledge(commands)
    register_accounts(commands)
    register_privacy(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
