"""What the visitor reads about their profile and "Mon projet d'installation": the consent
question, what was noted, the link, and forgetting. Pure functions, like texts.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.actions.profile import Adult, Profile
from bot.actions.texts import Reply, button, menu_button
from contract.french import french_date

LEVEL_LABELS = {
    "creche": "crèche ou assistante maternelle",
    "maternelle": "maternelle",
    "elementaire": "école élémentaire",
    "college": "collège",
    "lycee": "lycée",
    "superieur": "études supérieures",
}
TENURE_LABELS = {"rent": "louer", "buy": "acheter"}
HOUSING_LABELS = {"house": "une maison", "flat": "un appartement"}
NUMBER_WORDS = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six"}
FORGET_HINT = "« oubliez mes informations »"


def plan_button() -> dict[str, str]:
    return button("Mon projet d'installation", "request_plan")


def show_profile_button() -> dict[str, str]:
    return button("Qu'avez-vous retenu ?", "show_profile")


def forget_button() -> dict[str, str]:
    return button("Oubliez mes informations", "forget_profile")


def _adult(adult: Adult) -> str:
    return " – ".join(part for part in (adult.trade, adult.sector) if part)


def _children(levels: tuple[str, ...]) -> str:
    count = len(levels)
    noun = "enfant" if count == 1 else "enfants"
    labels = ", ".join(LEVEL_LABELS[level] for level in levels)
    return f"{NUMBER_WORDS.get(count, str(count))} {noun} ({labels})"


def _housing(profile: Profile) -> str | None:
    if profile.tenure is None and profile.housing is None:
        return None
    tenure = TENURE_LABELS.get(profile.tenure or "", "trouver")
    return f"{tenure} {HOUSING_LABELS.get(profile.housing or '', 'un logement')}"


def profile_lines(profile: Profile, commune_name: str | None = None) -> list[tuple[str, str]]:
    """Each thing kept, as the visitor reads it back; the conversation's commune stands for
    the area when none was given (it is the one the plan would use)."""
    lines: list[tuple[str, str]] = []
    if profile.household:
        lines.append(
            ("Qui s'installe", "vous seul·e" if profile.household == "alone" else "en couple")
        )
    if profile.children:
        lines.append(("Enfants", _children(profile.children)))
    if not profile.you.is_empty():
        lines.append(("Votre métier ou secteur", _adult(profile.you)))
    if not profile.partner.is_empty():
        lines.append(("Métier ou secteur de votre conjoint·e", _adult(profile.partner)))
    housing = _housing(profile)
    if housing:
        lines.append(("Logement", housing))
    if profile.area:
        lines.append(("Secteur envisagé", ", ".join(profile.area)))
    elif commune_name:
        lines.append(("Secteur envisagé", commune_name))
    if profile.timeline:
        lines.append(("Quand", profile.timeline))
    return lines


def referent_profile(profile: Profile) -> dict[str, Any]:
    """The profile as the referent reads it on the case page (api/dashboard labels)."""
    values: dict[str, Any] = {
        "household": {"alone": "seul·e", "couple": "en couple"}.get(profile.household or ""),
        "children": [LEVEL_LABELS[level] for level in profile.children],
        "trade": _adult(profile.you),
        "partner_trade": _adult(profile.partner),
        "housing": _housing(profile),
        "area": list(profile.area),
        "timeline": profile.timeline,
    }
    return {key: value for key, value in values.items() if value}


def _listed(lines: list[tuple[str, str]]) -> str:
    return "\n".join(f"- **{label}** : {value}" for label, value in lines)


def profile_consent_reply() -> Reply:
    """Asked once, before anything of the profile is kept."""
    return Reply(
        "Voulez-vous que je retienne ce que vous me dites de votre projet (qui s'installe, "
        "l'école des enfants, les métiers recherchés, le logement, le secteur, le "
        "calendrier) ? Je pourrai ainsi vous préparer « Mon projet d'installation » : une "
        "page personnelle qui réunit les informations utiles pour votre famille.\n\n"
        "Je ne garde ni nom, ni adresse. Vous pourrez à tout moment me demander ce que j'ai "
        f"retenu, le corriger, ou me dire {FORGET_HINT}.",
        [button("Oui, retenez-les", "affirm"), button("Non merci", "deny")],
    )


def profile_declined_reply() -> Reply:
    return Reply(
        "C'est entendu : je ne retiens rien de votre projet. Je reste à votre disposition "
        "pour vos questions.",
        [menu_button()],
    )


def profile_not_kept_reply() -> Reply:
    """The visitor said no before: nothing is kept, and they may change their mind."""
    return Reply(
        "Comme vous me l'avez demandé, je ne retiens pas ces informations. Si vous changez "
        "d'avis, dites-le moi.",
        [button("Finalement, retenez-les", "affirm"), menu_button()],
    )


def profile_noted_reply(noted: list[tuple[str, str]]) -> Reply:
    if not noted:
        return Reply(
            "Merci pour ces précisions ! Que souhaitez-vous savoir pour votre installation ?",
            [show_profile_button(), menu_button()],
        )
    return Reply(
        f"C'est noté :\n{_listed(noted)}\n\n"
        "Quand vous le souhaitez, je peux vous préparer « Mon projet d'installation », qui "
        "réunit les informations utiles pour votre projet. Vous pouvez aussi me corriger "
        "à tout moment.",
        [plan_button(), show_profile_button(), menu_button()],
    )


def profile_reply(lines: list[tuple[str, str]], *, declined: bool) -> Reply:
    if declined:
        return Reply(
            "Vous m'avez demandé de ne rien retenir de votre projet : je n'ai rien gardé.",
            [menu_button()],
        )
    if not lines:
        return Reply(
            "Je n'ai rien retenu de votre projet pour l'instant. Dites-moi par exemple qui "
            "s'installe, l'école des enfants, le métier que vous recherchez ou le logement "
            "que vous souhaitez.",
            [menu_button()],
        )
    return Reply(
        f"Voici ce que j'ai retenu de votre projet :\n{_listed(lines)}\n\n"
        "Pour corriger, dites-le simplement (par exemple « en fait, c'est en CM2 »). Pour "
        f"tout effacer : {FORGET_HINT}.",
        [plan_button(), forget_button(), menu_button()],
    )


def plan_needs_profile_reply() -> Reply:
    return Reply(
        "Pour vous préparer « Mon projet d'installation », dites-m'en un peu plus : qui "
        "s'installe, l'école des enfants, le métier recherché, le logement souhaité ou la "
        "commune qui vous intéresse. Par exemple : « nous avons deux enfants, un au collège "
        "et un en maternelle ».",
        [menu_button()],
    )


def plan_ready_reply(url: str, expires_at: date) -> Reply:
    return Reply(
        f"Votre projet d'installation est prêt : [ouvrir mon projet d'installation]({url})\n\n"
        "Vous y trouverez, pour votre secteur, l'école des enfants, le logement, la santé, "
        "les transports, les offres en cours et l'équipe accueil qui peut vous accompagner, "
        "avec la source de chaque information. Vous pouvez l'imprimer depuis la page.\n\n"
        f"Ce lien personnel fonctionne jusqu'au {french_date(expires_at)} : ne le partagez "
        "qu'avec vos proches.",
        [button("Me l'envoyer par e-mail", "email_plan"), show_profile_button(), forget_button()],
    )


def plan_refused_reply() -> Reply:
    return Reply(
        "Je n'ai pas pu préparer votre projet avec ces informations, désolé. Vous pouvez "
        "vérifier ce que j'ai retenu, ou poser directement vos questions.",
        [show_profile_button(), menu_button()],
    )


def no_plan_yet_reply() -> Reply:
    return Reply(
        "Je n'ai pas encore préparé votre projet d'installation. Voulez-vous que je le fasse ?",
        [plan_button(), menu_button()],
    )


def ask_plan_email_text() -> str:
    return (
        "À quelle adresse e-mail voulez-vous recevoir le lien de votre projet ? "
        "Je ne la garderai pas."
    )


def invalid_plan_email_reply() -> Reply:
    return Reply(
        "Je n'ai pas reconnu d'adresse e-mail. Pouvez-vous l'écrire simplement, par exemple "
        "camille@example.org ?",
        [menu_button()],
    )


def plan_emailed_reply(email: str) -> Reply:
    return Reply(
        f"C'est envoyé à {email} : vous y trouverez le lien de votre projet d'installation. "
        "Je n'ai pas gardé cette adresse.",
        [menu_button()],
    )


def plan_email_failed_reply() -> Reply:
    return Reply(
        "Je n'ai pas pu envoyer l'e-mail pour le moment, désolé. Vous pouvez réessayer un "
        "peu plus tard, ou garder le lien ci-dessus.",
        [button("Réessayer", "email_plan"), menu_button()],
    )


def plan_gone_reply() -> Reply:
    return Reply(
        "Ce lien ne fonctionne plus : il a expiré ou a été effacé. Voulez-vous que je vous "
        "prépare un nouveau projet ?",
        [plan_button(), menu_button()],
    )


def forgotten_reply(revoked: int, handed_off: bool) -> Reply:
    parts = ["C'est fait : j'ai oublié tout ce que vous m'aviez dit de votre projet."]
    if revoked:
        parts.append("Le lien de votre projet d'installation ne fonctionne plus.")
    if handed_off:
        parts.append(
            "La demande déjà transmise à l'équipe accueil reste entre ses mains : pour "
            "qu'elle l'efface aussi, demandez-le-lui en répondant à son message."
        )
    return Reply(" ".join(parts), [menu_button()])


def forget_failed_reply() -> Reply:
    return Reply(
        "J'ai oublié ce que vous m'aviez dit, mais je n'arrive pas à désactiver le lien de "
        "votre projet pour le moment. Réessayez dans quelques minutes, ou utilisez le bouton "
        "« Effacer ce projet maintenant » en bas de la page du projet.",
        [forget_button(), menu_button()],
    )


def places_not_kept_text(names: list[str]) -> str:
    listed = ", ".join(f"« {name} »" for name in names)
    these = "ce nom" if len(names) == 1 else "ces noms"
    return (
        f"Je n'ai pas retenu {listed} : je ne trouve pas {these} parmi les communes du Lot. "
        "Dites-moi quelle commune du Lot vous intéresse."
    )
