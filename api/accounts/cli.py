"""Account commands of `python -m api.cli`: create-user, create-token, set-password,
deactivate-user."""

import argparse
import getpass
import sys

from sqlalchemy.orm import Session

from api.accounts import service
from api.accounts.models import Role, User
from api.core.db import session_factory
from api.territory.service import get_territory

EXIT_FAILED = 2


def _read_password(args: argparse.Namespace) -> tuple[str, bool]:
    """The password and whether it was generated (and must be shown once)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    if args.generate_password or not sys.stdin.isatty():
        return service.generate_password(), True
    first = getpass.getpass("Mot de passe : ")
    second = getpass.getpass("Mot de passe (confirmation) : ")
    if first != second:
        raise service.AccountError("les deux mots de passe diffèrent")
    return first, False


def _create_user(args: argparse.Namespace) -> int:
    known_teams = {team.id for team in get_territory().teams()}
    unknown = sorted(set(args.team) - known_teams)
    if unknown:
        print(
            f"Équipe inconnue : {', '.join(unknown)}. "
            f"Équipes de referents.yml : {', '.join(sorted(known_teams))}."
        )
        return EXIT_FAILED
    try:
        password, generated = _read_password(args)
        with session_factory()() as session:
            user = service.create_user(
                session,
                email=args.email,
                display_name=args.name,
                role=Role(args.role),
                password=password,
                team_ids=args.team,
            )
    except service.AccountError as error:
        print(f"Compte non créé : {error}.")
        return EXIT_FAILED
    teams = ", ".join(user.team_ids) or "aucune (accès selon le rôle)"
    print(f"Compte créé : {user.email} ({user.role}), équipes : {teams}.")
    if generated:
        _show_once("Mot de passe généré", password)
    return 0


def _create_token(args: argparse.Namespace) -> int:
    with session_factory()() as session:
        user = service.find_user(session, args.email)
        if user is None or not user.active:
            print(f"Aucun compte actif pour {args.email}.")
            return EXIT_FAILED
        token = service.create_api_token(session, user, args.name)
    print(
        "Jeton d'API (il ne sera plus affiché ; envoyez-le dans l'en-tête "
        "« Authorization: Bearer … ») :\n"
        f"{token}"
    )
    return 0


def _account(session: Session, email: str) -> User | None:
    user = service.find_user(session, email)
    if user is None:
        print(f"Aucun compte pour {email}.")
    return user


def _show_once(what: str, password: str) -> None:
    print(f"{what} (il ne sera plus affiché, transmettez-le par un canal sûr) :\n{password}")


def _set_password(args: argparse.Namespace) -> int:
    with session_factory()() as session:
        user = _account(session, args.email)
        if user is None:
            return EXIT_FAILED
        try:
            password, generated = _read_password(args)
            service.set_password(session, user, password)
        except service.AccountError as error:
            print(f"Mot de passe non changé : {error}.")
            return EXIT_FAILED
    print(f"Mot de passe changé pour {user.email} ; ses sessions ouvertes sont fermées.")
    if generated:
        _show_once("Nouveau mot de passe", password)
    return 0


def _deactivate_user(args: argparse.Namespace) -> int:
    with session_factory()() as session:
        user = _account(session, args.email)
        if user is None:
            return EXIT_FAILED
        service.deactivate(session, user)
    print(
        f"Compte {user.email} désactivé : connexion, jetons d'API et notifications coupés. "
        "Son historique reste dans les demandes et le journal d'audit."
    )
    return 0


def _password_source(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    source.add_argument(
        "--generate-password",
        action="store_true",
        help="generate a password and print it once (default when not on a terminal)",
    )


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("create-user", help="create a dashboard / API account")
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", required=True, help="display name shown to colleagues")
    parser.add_argument("--role", required=True, choices=[role.value for role in Role])
    parser.add_argument(
        "--team",
        action="append",
        default=[],
        help="team id of referents.yml; repeat for several teams (required for a referent)",
    )
    _password_source(parser)
    parser.set_defaults(handler=_create_user)

    parser = commands.add_parser("create-token", help="create an API token for an account")
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", required=True, help="what the token is for, e.g. 'CRM sync'")
    parser.set_defaults(handler=_create_token)

    parser = commands.add_parser("set-password", help="set a new password for an account")
    parser.add_argument("--email", required=True)
    _password_source(parser)
    parser.set_defaults(handler=_set_password)

    parser = commands.add_parser(
        "deactivate-user", help="close an account (someone who left the network)"
    )
    parser.add_argument("--email", required=True)
    parser.set_defaults(handler=_deactivate_user)
