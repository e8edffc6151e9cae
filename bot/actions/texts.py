"""Everything the visitor reads from the custom actions: French wording and formatting.

Pure functions only (no HTTP, no tracker), so that each sentence can be unit tested.
Fixed replies that need no data live in domain.yml instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.actions.api_client import (
    Commune,
    EntryRef,
    HandoffReceipt,
    KnowledgeHit,
    OpeningHit,
    OpeningPage,
    Resolution,
    TerritoryReply,
)
from contract.french import french_date

# Re-exported: the actions read the contract's themes from here.
from contract.themes import THEME_INTENTS as THEME_INTENTS
from contract.themes import THEME_LABELS
from contract.themes import THEMES as THEMES

# "ils sont où ?", "y a des prêts pour ça ?": about the last answer, on its theme.
FOLLOW_UP_INTENT = "ask_follow_up"

# "… à Figeac" button titles and search words when the visitor only clicked a button.
THEME_PHRASES = {
    "jobs": "L'emploi",
    "business": "Créer ou reprendre une activité",
    "retraining": "La formation",
    "schools": "Les écoles",
    "housing": "Le logement",
    "health": "La santé",
    "transport": "Les transports",
    "leisure": "Les loisirs",
    "living": "La vie quotidienne",
}

# Answers that depend on where one lives: after the first of them without a known place,
# the visitor is offered (never asked first) to make it local.
PLACE_THEMES = frozenset({"schools", "housing", "transport", "health", "jobs"})
MAIN_TOWNS = ("Cahors", "Figeac", "Gourdon", "Souillac", "Gramat", "Saint-Céré", "Biars-sur-Cère")
RELATED_THEMES = {
    "jobs": ("retraining", "housing"),
    "business": ("jobs", "living"),
    "retraining": ("jobs", "business"),
    "schools": ("housing", "transport"),
    "housing": ("schools", "jobs"),
    "health": ("housing", "living"),
    "transport": ("housing", "schools"),
    "leisure": ("living", "health"),
    "living": ("housing", "jobs"),
}
# Themes whose answers lead on to the partners' openings.
OPENINGS_OF_THEME = {"jobs": "job", "business": "takeover"}
NUMBERS = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six"}
CONTACT_SITE = "[choisirlelot.fr](https://www.choisirlelot.fr)"


@dataclass(frozen=True)
class Reply:
    """One bot message: Markdown text and its quick-reply buttons."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def payload(intent: str, **entities: str) -> str:
    """A button payload that Rasa parses without NLU: `/intent{"entity":"value"}`."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    return {"title": title, "payload": payload(intent, **entities)}


def at_place(name: str) -> str:
    """French "à" before a commune name, contracted with its article ("au Vigan-en-Quercy")."""
    if name.startswith("Le "):
        return "au " + name[3:]
    if name.startswith("Les "):
        return "aux " + name[4:]
    return "à " + name


def french_duration(days: int) -> str:
    """A retention period as a person says it: 365 -> "un an", 180 -> "six mois"."""
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return f"{NUMBERS.get(years, str(years))} an{'s' if years > 1 else ''}"
    if days >= 30 and days % 30 == 0:
        return f"{NUMBERS.get(days // 30, str(days // 30))} mois"
    return f"{days} jour{'s' if days > 1 else ''}"


# -- menus ------------------------------------------------------------------------------


def referent_button() -> dict[str, str]:
    return button("Parler à un référent", "request_human")


def menu_button() -> dict[str, str]:
    return button("Voir tous les thèmes", "help")


def theme_buttons(commune_name: str | None = None) -> list[dict[str, str]]:
    if commune_name:
        return [
            button(f"{THEME_PHRASES[theme]} {at_place(commune_name)}", f"ask_{theme}")
            for theme in THEMES
        ]
    return [button(THEME_LABELS[theme], f"ask_{theme}") for theme in THEMES]


def follow_up_buttons(theme: str, commune_name: str | None) -> list[dict[str, str]]:
    related = [
        button(
            f"{THEME_PHRASES[other]} {at_place(commune_name)}"
            if commune_name
            else THEME_LABELS[other],
            f"ask_{other}",
        )
        for other in RELATED_THEMES[theme]
    ]
    openings = [openings_button(OPENINGS_OF_THEME[theme])] if theme in OPENINGS_OF_THEME else []
    return [*openings, *related, referent_button(), menu_button()]


def town_buttons(towns: tuple[str, ...] | list[str] = MAIN_TOWNS) -> list[dict[str, str]]:
    return [
        *(button(town, "inform_commune", commune=town) for town in towns),
        button("Pas encore décidé", "undecided_place"),
    ]


# -- knowledge answers --------------------------------------------------------------------


def format_sources(hit: KnowledgeHit | TerritoryReply) -> str:
    links = [f"[{source.title}]({source.url})" for source in hit.sources]
    if not links:
        return ""
    return ("Sources : " if len(links) > 1 else "Source : ") + " · ".join(links)


def format_answer(hit: KnowledgeHit, commune_name: str | None, local_entries: int = 0) -> str:
    """The entry's answer with its sources and review date; with a commune, a department-wide
    answer says that it holds there too, and that nothing is specific to the commune only
    when no entry of the theme is written for it or its communauté."""
    parts = []
    if commune_name and hit.scope_match == "department":
        parts.append(
            f"Je n'ai pas d'information propre {at_place(commune_name)} sur ce sujet ; "
            "voici ce qui vaut pour l'ensemble du Lot."
            if local_entries == 0
            else f"Ce qui suit vaut {at_place(commune_name)} comme dans tout le Lot."
        )
    parts.append(hit.answer.strip())
    footer = [line for line in (format_sources(hit),) if line]
    if hit.reviewed:
        footer.append(f"Mis à jour le {french_date(hit.reviewed)}")
    if footer:
        # A Markdown hard break: the review date goes on its own line under the sources.
        parts.append("  \n".join(footer))
    return "\n\n".join(parts)


def close_call_button(entry: EntryRef) -> dict[str, str]:
    return button(f"Vous cherchiez plutôt : {entry.title} ?", "show_entry", entry_id=entry.id)


def answer_reply(
    hit: KnowledgeHit,
    theme: str,
    commune_name: str | None,
    *,
    local_entries: int = 0,
    close_call: EntryRef | None = None,
    offer_place: bool = False,
) -> Reply:
    """An answer, then what may come next: the close runner-up first, then either the offer
    to make the answer local (the main towns) or the related themes."""
    text = format_answer(hit, commune_name, local_entries)
    alternative = [close_call_button(close_call)] if close_call else []
    if offer_place:
        openings = [openings_button(OPENINGS_OF_THEME[theme])] if theme in OPENINGS_OF_THEME else []
        return Reply(
            f"{text}\n\n{place_offer_text()}",
            [*alternative, *openings, *town_buttons(MAIN_TOWNS[:4]), referent_button()],
        )
    return Reply(text, [*alternative, *follow_up_buttons(theme, commune_name)])


def place_offer_text() -> str:
    return (
        "Pour une réponse plus locale, dites-moi où vous pensez vous installer : "
        "choisissez une ville ou écrivez-moi le nom d'une commune."
    )


def entry_gone_reply() -> Reply:
    return Reply(
        "Cette réponse n'est plus disponible : elle a sans doute été mise à jour entre-temps. "
        "Pouvez-vous reposer votre question ?",
        [menu_button()],
    )


def territory_reply(answer: TerritoryReply) -> Reply:
    """A territory fact as the API words it, with its sources; then what may come next."""
    lines = [line for line in (answer.text.strip(), format_sources(answer)) if line]
    if answer.kind in ("commune", "delegated") and answer.commune is not None:
        return Reply("\n\n".join(lines), theme_buttons(answer.commune.name)[:6])
    if answer.kind in ("outside", "unknown"):
        return Reply("\n\n".join(lines), town_buttons(MAIN_TOWNS[:4]))
    return Reply("\n\n".join(lines), [menu_button(), referent_button()])


def no_answer_reply(commune_name: str | None) -> Reply:
    where = f" {at_place(commune_name)}" if commune_name else ""
    return Reply(
        f"Je n'ai pas encore de réponse fiable sur ce point{where}, désolé. "
        "Un référent accueil peut vous renseigner personnellement.",
        [referent_button(), menu_button()],
    )


def api_down_reply(theme: str | None) -> Reply:
    buttons = [referent_button()]
    if theme:
        buttons.append(button("Réessayer", f"ask_{theme}"))
    return Reply(
        "Désolé, je n'arrive pas à consulter mes informations pour le moment. "
        "Vous pouvez réessayer dans quelques minutes, ou laisser vos coordonnées "
        "à un référent accueil qui vous répondra.",
        buttons,
    )


def undecided_intro() -> str:
    return "Pas de souci ! Voici ce qui vaut pour l'ensemble du Lot."


def place_noted_reply(commune_name: str) -> Reply:
    return Reply(
        f"C'est noté : {at_place(commune_name)}. Que souhaitez-vous savoir ?",
        theme_buttons(commune_name),
    )


def place_presented_reply(hit: KnowledgeHit, commune_name: str) -> Reply:
    """A town named on its own: the entry written for it or its area, then the themes there."""
    return Reply(
        f"C'est noté : {at_place(commune_name)}. Pour commencer, voici ce que je peux vous "
        f"dire du secteur.\n\n{format_answer(hit, commune_name)}\n\n"
        "Que souhaitez-vous savoir d'autre ?",
        theme_buttons(commune_name),
    )


def undecided_without_theme_reply() -> Reply:
    return Reply(
        "Pas de souci, rien ne presse ! Je vous répondrai pour l'ensemble du Lot. "
        "Que souhaitez-vous savoir ?",
        theme_buttons(),
    )


def outside_lot_reply(query: str, resolution: Resolution) -> Reply:
    place = resolution.outside_name or query
    where = f" ({resolution.outside_area})" if resolution.outside_area else ""
    return Reply(
        f"{place}{where} n'est pas dans le Lot : je ne connais bien que le Lot. "
        "Voulez-vous regarder du côté de l'une de ces villes ?",
        town_buttons(),
    )


def unknown_place_reply(query: str, alternatives: tuple[Commune, ...]) -> Reply:
    if alternatives:
        return Reply(
            f"Je ne trouve pas « {query} » parmi les communes du Lot. "
            "Vouliez-vous dire l'une de celles-ci ?",
            town_buttons([commune.name for commune in alternatives]),
        )
    return Reply(
        f"Je ne trouve pas « {query} » parmi les communes du Lot. Pouvez-vous vérifier "
        "l'orthographe, ou choisir l'un de ces secteurs ?",
        town_buttons(),
    )


# -- fallback ladder ----------------------------------------------------------------------


def did_you_mean_reply(themes: list[str]) -> Reply:
    if not themes:
        return Reply(
            "Je ne suis pas sûr d'avoir bien compris. Pouvez-vous reformuler votre "
            "question, ou choisir un thème ?",
            [*theme_buttons(), referent_button()],
        )
    return Reply(
        "Je ne suis pas sûr d'avoir bien compris. Vouliez-vous parler de… ?",
        [
            *(button(THEME_LABELS[theme], f"ask_{theme}") for theme in themes),
            button("Autre chose", "deny"),
        ],
    )


def still_not_understood_reply() -> Reply:
    return Reply(
        "Je n'arrive toujours pas à vous comprendre, pardon. Un référent accueil peut "
        "vous répondre personnellement ; vous pouvez aussi choisir un thème.",
        [referent_button(), menu_button()],
    )


# -- handoff ------------------------------------------------------------------------------


def consent_text(retention_days: int) -> str:
    """What the visitor agrees to; the exact text is stored with the case."""
    return (
        "Un référent accueil fait partie du réseau d'accueil Oh my Lot ! : il accompagne "
        "les personnes qui souhaitent s'installer dans le Lot (emploi, logement, emploi "
        "du conjoint, création ou reprise d'activité…) et les met en relation avec les "
        "bons interlocuteurs.\n\n"
        "Pour qu'il puisse vous recontacter, je lui transmettrai, avec votre accord :\n"
        "- notre conversation ;\n"
        "- votre projet tel que vous me l'avez décrit (commune visée, sujets abordés) et, "
        "si vous m'avez permis de le retenir, votre profil (foyer, scolarité des enfants, "
        "métiers recherchés, logement, calendrier) ;\n"
        "- votre « projet d'installation », si je vous l'ai préparé ;\n"
        "- votre prénom, et l'e-mail ou le numéro de téléphone que je vais vous demander.\n\n"
        "Ces informations seront lues par les référents accueil du territoire choisi "
        "(ou par l'équipe départementale Oh my Lot ! si vous n'avez pas encore choisi), "
        "uniquement pour répondre à votre demande. Elles sont conservées "
        f"{french_duration(retention_days)} au maximum.\n\n"
        "Êtes-vous d'accord ?"
    )


def consent_reply(retention_days: int) -> Reply:
    return Reply(
        consent_text(retention_days),
        [button("Oui, je suis d'accord", "affirm"), button("Non merci", "deny")],
    )


def consent_recorded_text() -> str:
    return (
        "Merci ! Il me faut seulement quelques informations pour que l'équipe "
        "puisse vous recontacter."
    )


def already_handed_off_reply(reference: str) -> Reply:
    return Reply(
        f"Votre demande a déjà été transmise (référence {reference}) : l'équipe d'accueil "
        "vous recontactera. En attendant, je reste à votre disposition.",
        [menu_button()],
    )


def handoff_sent_text(receipt: HandoffReceipt) -> str:
    """The API words the confirmation (team, reference, how the answer will come)."""
    return receipt.expected_reply.strip() or (
        f"Votre demande est bien transmise (référence {receipt.reference})."
    )


def handoff_queued_text() -> str:
    return (
        "Le service de mise en relation est momentanément indisponible, mais votre demande "
        "est bien enregistrée : elle sera transmise automatiquement dès que possible, sans "
        "que vous ayez à la refaire. Si vous êtes encore en ligne, je vous donnerai ici "
        "sa référence dès qu'elle sera transmise."
    )


def handoff_refused_text() -> str:
    return (
        "Je n'ai pas pu enregistrer votre demande, désolé. Vous pouvez contacter "
        f"directement le réseau d'accueil depuis le site {CONTACT_SITE}."
    )


def handoff_created_text(reference: str, expected_reply: str | None) -> str:
    confirmation = (expected_reply or "").strip() or (
        f"Votre demande est bien transmise (référence {reference})."
    )
    return f"Le service de mise en relation fonctionne à nouveau. {confirmation}"


def handoff_cancelled_reply() -> Reply:
    return Reply(
        "C'est entendu, j'annule : rien n'a été transmis. Que puis-je faire d'autre pour vous ?",
        [menu_button()],
    )


def ask_first_name_text() -> str:
    return "Quel est votre prénom ?"


def ask_contact_text(first_name: str | None) -> str:
    thanks = f"Merci, {first_name}. " if first_name else ""
    return (
        f"{thanks}À quelle adresse e-mail ou à quel numéro de téléphone l'équipe "
        "peut-elle vous répondre ?"
    )


def ask_handoff_place_reply() -> Reply:
    return Reply(
        "Dans quelle commune du Lot aimeriez-vous vous installer ? Si ce n'est pas encore "
        "décidé, aucun souci : l'équipe départementale vous répondra.",
        town_buttons(MAIN_TOWNS[:4]),
    )


def invalid_first_name_text() -> str:
    return (
        "Je n'ai pas reconnu un prénom. Pouvez-vous me l'écrire simplement, "
        "par exemple « Camille » ?"
    )


def invalid_contact_text() -> str:
    return (
        "Je n'ai reconnu ni une adresse e-mail ni un numéro de téléphone français. "
        "Pouvez-vous vérifier ? Par exemple : camille@example.org ou 06 12 34 56 78."
    )


def contact_noted_text(kind: str, shown: str) -> str:
    what = "votre adresse" if kind == "email" else "votre numéro"
    return f"C'est noté : {what} {shown}."


def place_unresolved_in_form_text() -> str:
    return (
        "Je ne peux pas vérifier cette commune pour le moment ; je la transmets telle "
        "quelle à l'équipe départementale, qui fera suivre."
    )


# -- openings (job offers, businesses and farms to take over) ------------------------------

# What a search covers, by the kind the visitor chose; takeovers cover businesses and farms.
OPENING_KINDS = {
    "job": ("job",),
    "takeover": ("business_takeover", "farm_takeover"),
}
OPENING_NOUNS = {"job": "offre d'emploi", "takeover": "activité à reprendre"}
OPENING_NOUNS_PLURAL = {"job": "offres d'emploi", "takeover": "activités à reprendre"}
# Answers meaning "show me everything" to "which trade?".
ANY_TRADE = frozenset(
    {"peu importe", "tout", "tous", "toutes", "n'importe", "n'importe quoi", "indifférent"}
)


def openings_button(kind: str) -> dict[str, str]:
    title = "Voir les offres d'emploi" if kind == "job" else "Voir les activités à reprendre"
    return button(title, "search_openings", opening_kind=kind)


def ask_opening_query_text(kind: str) -> str:
    if kind == "takeover":
        return (
            "Quel type d'activité aimeriez-vous reprendre ? Par exemple : commerce, "
            "restaurant, boulangerie, exploitation agricole… Vous pouvez aussi répondre "
            "« peu importe »."
        )
    return (
        "Quel métier ou quel secteur vous intéresse ? Par exemple : infirmier, "
        "boulanger, industrie, tourisme… Vous pouvez aussi répondre « peu importe »."
    )


def _opening_line(opening: OpeningHit) -> str:
    place = opening.commune_name or ""
    if place and opening.distance_km is not None and opening.distance_km >= 1:
        place += f" ({opening.distance_km:.0f} km)"
    details = " · ".join(
        part for part in (opening.employer_or_seller, place, opening.contract) if part
    )
    line = f"- **{opening.title}**"
    if details:
        line += f" — {details}"
    if opening.url:
        line += f" — [voir l'annonce]({opening.url})"
    return line


def _search_scope(query: str | None, commune_name: str | None, radius_km: float | None) -> str:
    what = f" pour « {query} »" if query else ""
    if commune_name and radius_km:
        return f"{what} à moins de {radius_km:.0f} km {_around(commune_name)}"
    return f"{what} dans tout le Lot"


def _around(commune_name: str) -> str:
    """French "autour de" contracted with the article: autour du Vigan, autour des…"""
    place = at_place(commune_name)
    if place.startswith("au "):
        return "autour du " + place[3:]
    if place.startswith("aux "):
        return "autour des " + place[4:]
    return "autour de " + commune_name


def no_search_yet_reply() -> Reply:
    return Reply(
        "Je n'ai pas encore de recherche en cours. Que souhaitez-vous consulter ?",
        [openings_button("job"), openings_button("takeover"), menu_button()],
    )


def openings_reply(
    kind: str,
    page: OpeningPage,
    *,
    query: str | None,
    commune_name: str | None,
    radius_km: float | None,
    shown_before: int,
    widened_from_km: float | None,
) -> Reply:
    scope = _search_scope(query, commune_name, radius_km)
    plural = OPENING_NOUNS_PLURAL[kind]
    if not page.results:
        return Reply(
            f"Je n'ai trouvé aucune {OPENING_NOUNS[kind]}{scope} pour le moment. "
            "Les référents accueil connaissent aussi des opportunités qui ne sont pas "
            "publiées : voulez-vous qu'un référent vous recontacte ?",
            [referent_button(), openings_button(kind), menu_button()],
        )
    lines = []
    if widened_from_km and commune_name:
        lines.append(
            f"Rien à moins de {widened_from_km:.0f} km {_around(commune_name)} : "
            "j'ai élargi la recherche."
        )
    first, last = shown_before + 1, shown_before + len(page.results)
    if page.total > 1:
        lines.append(
            f"Voici les {plural}{scope} ({first} à {last} sur {page.total}), "
            "les plus récentes d'abord :"
        )
    else:
        lines.append(f"Voici la seule {OPENING_NOUNS[kind]}{scope} :")
    lines.extend(_opening_line(opening) for opening in page.results)
    text = "\n".join(lines)
    if any(opening.sample_notice for opening in page.results):
        # A paragraph of its own: after a single line break it would join the last item.
        text += (
            "\n\n⚠️ Ce sont des données d'exemple (fictives), chargées pour essayer "
            "l'assistant : elles ne correspondent à aucune vraie annonce."
        )
    buttons = []
    if last < page.total:
        buttons.append(button("Voir plus", "more_openings"))
    buttons += [
        button("Autre recherche", "search_openings", opening_kind=kind),
        referent_button(),
        menu_button(),
    ]
    return Reply(text, buttons)


# -- live relay ---------------------------------------------------------------------------


def referent_joined_text(team_name: str, *, takeover: bool = False) -> str:
    # Starts with the team's name: the demo page's widget shows the live status from it.
    # Referents sign as their team: a colleague taking over is announced, never named.
    if takeover:
        return (
            f"{team_name} a rejoint la conversation : une autre personne de l'équipe prend "
            "le relais. Écrivez-lui directement ici."
        )
    return (
        f"{team_name} a rejoint la conversation. Vous échangez maintenant avec une "
        "personne : écrivez-lui directement ici."
    )


def referent_message_text(team_name: str, message: str) -> str:
    return f"{team_name} : {message}"


def handoff_closed_reply(team_name: str) -> Reply:
    return Reply(
        f"{team_name} a terminé la conversation. Je reprends la main : n'hésitez pas "
        "si vous avez d'autres questions.",
        [menu_button()],
    )


def satisfaction_question_reply() -> Reply:
    return Reply(
        "Une dernière question, si vous le voulez bien : de 1 (pas du tout) à 5 (tout à "
        "fait), cet échange avec l'équipe vous a-t-il aidé ?",
        [button(str(score), "rate_handoff", rating=str(score)) for score in range(1, 6)],
    )


def satisfaction_recorded_reply() -> Reply:
    return Reply(
        "Merci pour votre réponse ! Si vous le souhaitez, écrivez maintenant un commentaire "
        "pour l'équipe, en quelques mots. Sinon, cliquez sur « Non merci ».",
        [button("Non merci", "deny")],
    )


def transcript_offer_reply(email: str) -> Reply:
    return Reply(
        "Souhaitez-vous recevoir toute cette conversation par e-mail, à l'adresse que vous "
        f"nous avez donnée ({email}) ?",
        [button("Oui, envoyez-la-moi", "send_transcript"), button("Non merci", "deny")],
    )


def comment_recorded_text() -> str:
    return "Merci, votre commentaire est transmis à l'équipe."


def transcript_sent_reply(email: str) -> Reply:
    return Reply(
        f"C'est envoyé à {email}. Je reste à votre disposition si vous avez d'autres questions.",
        [menu_button()],
    )


def transcript_failed_reply() -> Reply:
    return Reply(
        "Je n'ai pas pu envoyer la conversation pour le moment, désolé. Vous pouvez la "
        "redemander un peu plus tard en cliquant à nouveau.",
        [button("Réessayer", "send_transcript"), menu_button()],
    )


def rating_failed_text() -> str:
    return (
        "Je n'ai pas pu enregistrer votre réponse pour le moment, désolé ; merci quand "
        "même de l'avoir donnée."
    )


def forward_failed_text() -> str:
    return (
        "Votre message n'a pas pu être transmis à l'équipe pour le moment. "
        "Pouvez-vous le renvoyer dans un instant ?"
    )


def forward_rejected_text() -> str:
    return (
        "Ce message n'a pas pu être transmis à l'équipe tel qu'il est écrit, et le renvoyer "
        "à l'identique n'y changerait rien. Pouvez-vous le reformuler en quelques phrases ?"
    )


def long_message_forwarded_text(parts: int, left_out: int) -> str:
    sent = (
        f"Votre message était long : je l'ai transmis à l'équipe en {NUMBERS.get(parts, parts)} "
        "parties."
        if parts > 1
        else "Votre message était long : je l'ai transmis à l'équipe."
    )
    if left_out:
        sent += (
            f" Les {left_out} derniers caractères n'ont pas pu suivre : si c'était important, "
            "envoyez-les dans un nouveau message."
        )
    return sent


def live_case_over_reply() -> Reply:
    return Reply(
        "La conversation avec l'équipe d'accueil est terminée. Je reprends la main : "
        "posez-moi votre question, ou demandez à nouveau un référent si besoin.",
        [menu_button(), referent_button()],
    )


def restart_reply() -> Reply:
    return Reply("C'est reparti de zéro ! Que souhaitez-vous savoir sur le Lot ?", [menu_button()])


def as_message(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for `dispatcher.utter_message`."""
    return {"text": reply.text, "buttons": reply.buttons} if reply.buttons else {"text": reply.text}


# -- towns side by side -------------------------------------------------------------------


def compare_button(town: str) -> dict[str, str]:
    return button(town, "compare_communes", commune=town)


def comparison_reply(text: str) -> Reply:
    """The API's message as it is (a bold title, one line per criterion, the sources)."""
    return Reply(text, [menu_button(), referent_button()])


def ask_towns_to_compare_reply() -> Reply:
    return Reply(
        "Avec plaisir ! Quelles communes voulez-vous comparer ? Écrivez-moi deux ou trois "
        "noms, par exemple « Figeac ou Cahors ? ».",
        [menu_button()],
    )


def ask_second_town_reply(first: str) -> Reply:
    others = [town for town in MAIN_TOWNS if town.casefold() != first.casefold()]
    return Reply(
        f"Avec plaisir ! Avec quelle autre commune voulez-vous comparer {first} ? "
        "Choisissez une ville ou écrivez-moi son nom.",
        [compare_button(town) for town in others[:5]],
    )


def compare_count_reply() -> Reply:
    return Reply(
        "Je peux comparer deux ou trois communes à la fois. Lesquelles voulez-vous "
        "mettre côte à côte ?",
        [menu_button()],
    )


def compare_unknown_reply(query: str, alternatives: tuple[Commune, ...]) -> Reply:
    if alternatives:
        names = [commune.name for commune in alternatives]
        listed = " ou ".join(names[:3])
        return Reply(
            f"Je ne trouve pas « {query} » parmi les communes du Lot. Vouliez-vous dire {listed} ?",
            [compare_button(name) for name in names[:3]],
        )
    return Reply(
        f"Je ne trouve pas « {query} » parmi les communes du Lot. Pouvez-vous vérifier "
        "l'orthographe, ou choisir l'une de ces villes ?",
        [compare_button(town) for town in MAIN_TOWNS[:5]],
    )


def compare_same_commune_reply(name: str) -> Reply:
    others = [town for town in MAIN_TOWNS if town != name]
    return Reply(
        f"Ces deux noms désignent la même commune, {name}. Avec quelle autre commune "
        "voulez-vous la comparer ?",
        [compare_button(town) for town in others[:5]],
    )
