"""Commands of the partners' push API, registered on `python -m api.cli`."""

import argparse

from api.core.db import session_factory
from api.openings.cli import EXIT_FAILED
from api.partners.service import PartnerError, create_key


def _create_partner_key(args: argparse.Namespace) -> int:
    with session_factory()() as session:
        try:
            key = create_key(session, args.partner, args.name)
        except PartnerError as error:
            print(f"Clé non créée : {error}")
            return EXIT_FAILED
        session.commit()
    print(
        f"Clé du partenaire « {args.partner} » (elle ne sera plus affichée ; "
        "toute clé précédente ne fonctionne plus) :\n"
        f"{key}\n"
        "À transmettre au partenaire par un canal sûr ; il l'envoie dans l'en-tête X-Partner-Key."
    )
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser(
        "create-partner-key", help="create (or replace) a partner's push-API key"
    )
    parser.add_argument("--partner", required=True, help="partner id, e.g. cma-lot")
    parser.add_argument("--name", help="display name; required for a new partner")
    parser.set_defaults(handler=_create_partner_key)
