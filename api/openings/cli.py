"""Commands of the openings area, registered on `python -m api.cli`."""

import argparse
from pathlib import Path

from api.core.config import ROOT_DIR, get_settings
from api.core.db import session_factory
from api.openings import service
from api.openings.connectors.france_travail import (
    FranceTravailClient,
    FranceTravailConfig,
    FranceTravailError,
    sync_france_travail,
)
from api.openings.imports import ImportFileError, ImportReport, import_file
from api.territory.service import get_territory

SAMPLE_DIR = ROOT_DIR / "data" / "sample"
SAMPLE_FILES = ("openings_france_travail_sample.json", "reprises_sample.csv")

# Exit codes: 0 everything kept, 1 some rows rejected (the others kept), 2 nothing done.
EXIT_REJECTED = 1
EXIT_FAILED = 2


def _exit_code(report: ImportReport) -> int:
    return EXIT_REJECTED if report.rejected else 0


def _import_openings(args: argparse.Namespace) -> int:
    try:
        report = import_file(
            session_factory(), get_territory(), args.partner, Path(args.file), full=args.full
        )
    except ImportFileError as error:
        print(f"Import impossible : {error}")
        return EXIT_FAILED
    print(report.render())
    return _exit_code(report)


def _sync_france_travail(args: argparse.Namespace) -> int:
    try:
        client = FranceTravailClient(FranceTravailConfig.from_settings(get_settings()))
        try:
            report = sync_france_travail(
                session_factory(), get_territory(), client, full=not args.no_expire
            )
        finally:
            client.close()
    except (FranceTravailError, ImportFileError) as error:
        print(f"Synchronisation impossible : {error}")
        return EXIT_FAILED
    print(report.render())
    return _exit_code(report)


def _load_sample_openings(args: argparse.Namespace) -> int:
    sessions = session_factory()
    if args.remove:
        with sessions() as session, session.begin():
            removed = service.delete_samples(session)
        print(f"Données d'exemple supprimées : {removed} offre(s).")
        return 0
    with sessions() as session:
        existing = service.count_openings(session)
    if existing and not args.force:
        print(f"{existing} offre(s) déjà en base : données d'exemple non chargées.")
        return 0
    code = 0
    for name in SAMPLE_FILES:
        try:
            report = import_file(
                sessions,
                get_territory(),
                service.SAMPLE_PARTNER,
                SAMPLE_DIR / name,
                full=False,
                is_sample=True,
            )
        except ImportFileError as error:
            print(f"Import impossible : {error}")
            return EXIT_FAILED
        print(report.render())
        code = max(code, _exit_code(report))
    return code


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser(
        "import-openings", help="import a partner's openings from a .json or .csv file"
    )
    parser.add_argument("--partner", required=True, help="partner id, e.g. cci-lot")
    parser.add_argument("--file", required=True, help="France Travail JSON or template CSV")
    parser.add_argument(
        "--full", action="store_true", help="expire this partner's openings absent from the file"
    )
    parser.set_defaults(handler=_import_openings)

    parser = commands.add_parser(
        "sync-france-travail", help="fetch the Lot's job offers from France Travail's API"
    )
    parser.add_argument(
        "--no-expire",
        action="store_true",
        help="keep the offers that France Travail no longer lists",
    )
    parser.set_defaults(handler=_sync_france_travail)

    parser = commands.add_parser(
        "load-sample-openings",
        help="load the fictitious openings of data/sample/ when there are no openings yet",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--force", action="store_true", help="load even if openings exist")
    group.add_argument("--remove", action="store_true", help="delete every sample opening")
    parser.set_defaults(handler=_load_sample_openings)
