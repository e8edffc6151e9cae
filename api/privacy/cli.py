"""Privacy commands of `python -m api.cli`: purge, export-case, delete-case."""

import argparse
from pathlib import Path

from api.core.config import get_settings
from api.core.db import session_factory, utcnow
from api.handoffs.service import get_case
from api.privacy import service
from api.territory.service import get_territory

EXIT_FAILED = 2


def _purge(args: argparse.Namespace) -> int:
    settings = get_settings()
    days = args.days if args.days is not None else settings.retention_days
    with session_factory()() as session:
        report = service.purge(session, utcnow(), days, settings.tracker_store_url)
    print(
        f"Purge des données de plus de {days} jours "
        f"(antérieures au {report.cutoff:%d/%m/%Y}) :\n"
        f"  demandes clôturées supprimées : {report.cases_deleted}\n"
        f"  projets d'installation expirés ou effacés supprimés : {report.plans_deleted}"
    )
    if report.tracker_events_deleted is None:
        print("  conversations Rasa : TRACKER_STORE_URL non défini, rien à purger")
    else:
        print(f"  événements de conversation Rasa supprimés : {report.tracker_events_deleted}")
    return 0


def _export_case(args: argparse.Namespace) -> int:
    with session_factory()() as session:
        case = get_case(session, args.reference)
        if case is None:
            print(f"Aucune demande {args.reference}.")
            return EXIT_FAILED
        export = service.export_case(session, case, get_territory(), utcnow(), actor_kind="cli")
    text = export.model_dump_json(indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"Export de {export.reference} écrit dans {args.output}.")
    else:
        print(text)
    return 0


def _delete_case(args: argparse.Namespace) -> int:
    with session_factory()() as session:
        case = get_case(session, args.reference)
        if case is None:
            print(f"Aucune demande {args.reference}.")
            return EXIT_FAILED
        reference = case.reference
        service.delete_case(
            session,
            case,
            utcnow(),
            tracker_store_url=get_settings().tracker_store_url,
            actor_kind="cli",
        )
    print(f"Demande {reference} supprimée, avec ses messages, ses notes et sa conversation.")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser(
        "purge",
        help="delete closed cases and Rasa conversations older than the retention, and the plans "
        "whose link expired or was revoked",
    )
    parser.add_argument("--days", type=int, help="retention in days (default: RETENTION_DAYS, 365)")
    parser.set_defaults(handler=_purge)

    parser = commands.add_parser("export-case", help="print a case's data as JSON")
    parser.add_argument("reference", help="e.g. OML-2026-K7Q4MZ")
    parser.add_argument("--output", help="write to this file instead of the terminal")
    parser.set_defaults(handler=_export_case)

    parser = commands.add_parser(
        "delete-case", help="delete a case and its conversation (data subject's request)"
    )
    parser.add_argument("reference", help="e.g. OML-2026-K7Q4MZ")
    parser.set_defaults(handler=_delete_case)
