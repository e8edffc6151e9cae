"""The knowledge base, through the API: one action answers the nine themes, one shows an
entry the visitor picked (a close runner-up), one answers questions on the territory."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import feedback, texts
from bot.actions.api_client import (
    ApiClient,
    ApiRejected,
    ApiUnavailable,
    Commune,
    EntryRef,
    KnowledgeAnswer,
    KnowledgeHit,
    Resolution,
    TerritoryReply,
    UsesApi,
)
from bot.actions.conversation import (
    asks_same_elsewhere,
    asks_takeover,
    carried_subject,
    changes_subject,
    entity_values,
    intent_of,
    is_payload,
    joined_place,
    last_question_about,
    other_reading,
    points_back,
    previous_answer,
    previous_question,
    subject_of,
    typed_before_latest,
)
from bot.actions.openings import new_search, search_and_reply
from bot.actions.texts import (
    MAIN_TOWNS,
    OPENINGS_OF_THEME,
    Reply,
    at_place,
    button,
    follow_up_buttons,
    menu_button,
    openings_button,
    referent_button,
    theme_buttons,
    town_buttons,
)
from contract.french import french_date
from contract.places import (
    asks_if_in_the_lot,
    names_the_lot,
    widens_to_department,
    without_place,
)

logger = logging.getLogger(__name__)

# "c'est possible dans le Lot ?", "et là-bas ?", "combien ça coûte ?": a follow-up this
# short is read together with the last question on the last theme.
FOLLOW_UP_MAX_WORDS = 8
TERRITORY_INTENT = "ask_territory"
OUT_OF_SCOPE_INTENT = "out_of_scope"
# Answers that depend on where one lives: after the first of them without a known place,
# the visitor is offered (never asked first) to make it local.
PLACE_THEMES = frozenset({"schools", "housing", "transport", "health", "jobs"})
UNDECIDED_INTRO = "Pas de souci ! Voici ce qui vaut pour l'ensemble du Lot."
# After "n'est pas dans le Lot", before the Lot's answer to the same question.
FOR_THE_LOT = "Pour le Lot, voici ce que je sais :"
PLACE_OFFER = (
    "Pour une réponse plus locale, dites-moi où vous pensez vous installer : "
    "choisissez une ville ou écrivez-moi le nom d'une commune."
)


def _say(dispatcher: CollectingDispatcher, reply: texts.Reply) -> None:
    dispatcher.utter_message(**texts.as_message(reply))


def say_answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reply: texts.Reply,
    hit: KnowledgeHit,
    commune: str | None,
) -> None:
    """An answer from an entry, tagged so that the visitor can rate it (feedback.py)."""
    # Sent before the answer: the widget shows quick replies under the last message only.
    dispatcher.utter_message(json_message=feedback.rating_tag(tracker, hit.id, hit.theme, commune))
    dispatcher.utter_message(**texts.as_message(reply))


def search_text(tracker: Tracker, theme: str, *, asked: bool = False) -> str:
    """The words to search with: the visitor's question about this theme, without the
    place (the commune is a separate filter), or the theme's name after a button click.
    `asked`: the latest message is a question on `theme` whatever its intent (a question
    inside a description of the project)."""
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    intent = intent_of(latest) or ""
    if (asked or texts.THEME_INTENTS.get(intent) == theme) and not is_payload(text):
        question: tuple[str, dict[str, Any]] | None = (text, latest)
    else:
        question = last_question_about(tracker.events, theme)
    if intent == texts.FOLLOW_UP_INTENT and not asked and not is_payload(text):
        # "y a des prêts pour ça ?" means nothing alone: read with the question before.
        words = (
            [carried_subject(tracker.events, question), without_place(*question)]
            if question
            else []
        )
        words.append(without_place(text, latest))
        return " ".join(w for w in words if w) or texts.THEME_PHRASES[theme]
    cleaned = without_place(*question, keep_subject=question[0] == text) if question else ""
    if question:
        cleaned = with_levels(cleaned, question[1])
    before = previous_question(tracker.events) if question and question[0] == text else None
    if before is not None and points_back(text):
        # "et après, ça embauche ?" after "formation soudeur pour adulte": the jobs of that
        # trade.
        return f"{subject_of(before)} {cleaned}"
    return cleaned or texts.THEME_PHRASES[theme]


def with_levels(words: str, parse_data: dict[str, Any]) -> str:
    """The words with the school levels they name, as the entries name them: "un en
    moyenne section et un en CE1" searches "maternelle" and "primaire" too, "college"
    "collège". (The kinds of housing, tried the same way, cost more answers than they won
    on the tuning split: "louer" is in every housing entry already.)"""
    named = [
        value
        for value in entity_values(parse_data, "school_level")
        if value.casefold() not in words.casefold()
    ]
    return " ".join([words, *dict.fromkeys(named)]) if named else words


@dataclass(frozen=True)
class Turn:
    """What the visitor's latest message says, read once for every path of the answer."""

    latest: dict[str, Any]
    intent: str | None
    text: str
    theme: str | None  # the message's theme, else the last one discussed
    places: list[str]  # the `commune` entities, as written
    asked: bool = False  # a question on `theme` under another intent

    @classmethod
    def read(cls, tracker: Tracker, asked_theme: str | None = None) -> Turn:
        latest = tracker.latest_message or {}
        intent = intent_of(latest)
        theme = asked_theme or texts.THEME_INTENTS.get(intent or "")
        return cls(
            latest=latest,
            intent=intent,
            text=str(latest.get("text") or ""),
            theme=theme or tracker.get_slot("last_theme"),
            places=entity_values(latest, "commune"),
            asked=asked_theme is not None,
        )

    @property
    def undecided(self) -> bool:
        return self.intent == "undecided_place"

    @property
    def widens(self) -> bool:
        """ "et dans le reste du département ?": the question before, for the whole Lot."""
        return self.typed and not self.places and widens_to_department(self.text)

    @property
    def typed(self) -> bool:
        """Words the visitor wrote, not a button's payload."""
        return not is_payload(self.text)


# (INSEE code, name) of the commune an answer is about, or (None, None) for the whole Lot.
Place = tuple[str | None, str | None]


def slot_place(tracker: Tracker) -> Place:
    """The commune the conversation is about, from its slots."""
    return tracker.get_slot("commune"), tracker.get_slot("commune_name")


class ActionAnswerTheme(UsesApi, Action):
    def name(self) -> str:
        return "action_answer_theme"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        if intent_of(latest) == texts.FOLLOW_UP_INTENT and changes_subject(
            str(latest.get("text") or "")
        ):
            # "sinon, il fait combien à Gramat ?" is no question on the last answer: the
            # NLU's next reading is.
            other = other_reading(latest.get("intent_ranking") or [], texts.FOLLOW_UP_INTENT)
            if other == OUT_OF_SCOPE_INTENT:
                dispatcher.utter_message(response="utter_out_of_scope")
                return []
            if other in texts.THEME_INTENTS:
                asked = texts.THEME_INTENTS[other]
                return await ThemeAnswer(self.api, dispatcher, tracker, asked_theme=asked).run()
        return await ThemeAnswer(self.api, dispatcher, tracker).run()


class ThemeAnswer:
    """One turn of action_answer_theme: a theme question, a place given or left open, or a
    follow-up, one path each.

    First what the message does to the place (a territory fact asked with it ends the turn
    there); then, without a theme, the place itself; with one, the openings a trade asks
    for, else the knowledge base's answer."""

    def __init__(
        self,
        api: ApiClient,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        asked_theme: str | None = None,
    ) -> None:
        """`asked_theme`: the theme of a question the message asks under another intent."""
        self.api = api
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.turn = Turn.read(tracker, asked_theme)
        # Said once the question is answered ("Je ne trouve pas « lacapelle »…").
        self.after_answer: list[Reply] = []
        self.place_carried = False

    async def run(self) -> list[EventType]:
        turn = self.turn
        if turn.typed and turn.places and asks_if_in_the_lot(turn.text):
            # "Carennac c'est bien dans le Lot ? l'annonce parlait de la Dordogne": where
            # the place is, whatever theme the rest of the message touches (a place outside
            # the Lot is told so by `settle_place`). Asked of the place alone: the rest of
            # the message holds words the territory data could take for other places.
            asked = f"{turn.places[0]} est-il dans le Lot ?"
            reading = await read_territory(self.api, self.tracker, asked)
            if reading is not None and reading.kind in _LOT_PLACE and reading.fact == "location":
                _say(self.dispatcher, territory_reply(reading))
                return place_events(reading.commune)
        events: list[EventType] = [SlotSet("last_theme", turn.theme)] if turn.theme else []
        heard, answered = await self.read_place_alone()
        if answered is not None:
            return answered
        settled = await self.settle_place(heard)
        if settled is None:
            return events
        place, place_set = settled
        # No place event: the commune is the conversation's, this message did not name it.
        self.place_carried = not place_set and place[0] is not None
        events += place_set
        if not turn.theme:
            return [*events, *await self.without_theme(place)]
        found = await self.openings(turn.theme, place)
        if found is None:
            found = await self.from_knowledge(turn.theme, place)
        for reply in self.after_answer:
            _say(self.dispatcher, reply)
        return [*events, *found]

    async def read_place_alone(self) -> tuple[Commune | None, list[EventType] | None]:
        """A message heard as a place alone, read by the territory data: ("populasion de
        Figeac") a fact of the territory, answered here (its events returned second); or
        ("on vise le secteur de Puy-l'Evêque") a spelling the entity extractor missed,
        which the territory data still recognises (returned first)."""
        if self.turn.intent != "inform_commune" or not self.turn.typed:
            return None, None
        reading = await read_territory(self.api, self.tracker, self.turn.text)
        if reading is None:
            return None, None
        if asks_a_fact(reading, in_topic=bool(self.turn.theme)):
            _say(self.dispatcher, territory_reply(reading))
            return None, place_events(reading.commune)
        if not self.turn.places and reading.kind in _PLACE_KINDS:
            return reading.commune, None
        return None, None

    async def settle_place(self, heard: Commune | None) -> tuple[Place, list[EventType]] | None:
        """The place of the answer and the slots that change with it; None once the visitor
        was told the place cannot be used (outside the Lot, unknown, API out of reach)."""
        if self.turn.undecided or self.turn.widens:
            unset = [SlotSet("commune", None), SlotSet("commune_name", None)]
            return (None, None), [SlotSet("place_undecided", True), *unset]
        if heard is not None:
            return (heard.insee, heard.name), place_events(heard)
        if not self.turn.places:
            return slot_place(self.tracker), []
        try:
            resolution = await self.api.resolve_commune(self.turn.places[0])
            joined = joined_place(self.turn.latest)
            if resolution.status == "unknown" and joined:
                whole = await self.api.resolve_commune(joined)
                resolution = whole if whole.status == "found" else resolution
            if resolution.status == "outside_lot":
                # "On est à Aurillac et on regarde vers Saint-Céré": the Lot's town is the
                # place of the answer, the other where the visitor comes from.
                resolution = await self.lot_place_beside(resolution)
        except (ApiUnavailable, ApiRejected):
            logger.warning("knowledge.resolve_failed", extra={"sender": self.tracker.sender_id})
            _say(self.dispatcher, texts.api_down_reply(self.turn.theme))
            return None
        if resolution.status == "outside_lot":
            if self.turn.intent in texts.THEME_INTENTS and names_the_lot(self.turn.text):
                # "j'ai une boulangerie à Aurillac, je voudrais en reprendre une dans le
                # Lot": Aurillac is where the visitor comes from, the question is the Lot's.
                return slot_place(self.tracker), []
            _say(self.dispatcher, texts.outside_lot_reply(self.turn.places[0], resolution))
            return None
        if resolution.status != "found" or resolution.commune is None:
            unknown = texts.unknown_place_reply(self.turn.places[0], resolution.alternatives)
            if self.turn.intent in texts.THEME_INTENTS:
                # Answer first: a question on a theme is answered for the whole Lot, and
                # the place is asked about after it, where its buttons show.
                self.after_answer.append(unknown)
                return (None, None), []
            _say(self.dispatcher, unknown)
            return None
        commune = resolution.commune
        return (commune.insee, commune.name), place_events(commune)

    async def lot_place_beside(self, outside: Resolution) -> Resolution:
        """The first other place of the message that is a commune of the Lot, else `outside`."""
        for name in self.turn.places[1:]:
            resolution = await self.api.resolve_commune(name)
            if resolution.status == "found" and resolution.commune is not None:
                return resolution
        return outside

    async def without_theme(self, place: Place) -> list[EventType]:
        """No theme yet in the conversation: a follow-up, or a place given alone."""
        commune, commune_name = place
        if self.turn.intent == texts.FOLLOW_UP_INTENT:
            # "et son interco ?" after a town's postcode: a fact of the territory about it.
            answered = await answer_territory_fact(
                self.api, self.dispatcher, self.tracker, self.turn.text
            )
            if answered is not None:
                return answered
            # "on peut y vivre à l'année ?" after a town alone: about that town; "c'est qui
            # ces ambassadeurs ?" after an unclear first message: an entry may be clearly
            # about it on its own.
            answered = await answer_if_clear(
                self.api, self.dispatcher, self.tracker, self.turn.text, [], place=place
            )
            if answered is not None:
                return answered
            # A follow-up nothing answers ("c'est où ?" as a first message).
            await record_unanswered(self.api, self.turn.text, None, commune)
            self.dispatcher.utter_message(response="utter_rephrase_or_pick_theme")
            return []
        # "Cardaillac, ça vaut le détour ?": more than a place, and an entry may answer it.
        if (
            commune
            and self.turn.typed
            and len(without_place(self.turn.text, self.turn.latest).split()) > 1
        ):
            answered = await answer_if_clear(
                self.api, self.dispatcher, self.tracker, self.turn.text, [], place=place
            )
            if answered is not None:
                return answered
        if commune and commune_name:
            presented = await present_place(
                self.api, self.dispatcher, self.tracker, commune, commune_name
            )
            if presented is not None:
                return presented
        if commune_name:
            _say(self.dispatcher, place_noted_reply(commune_name))
        else:
            self.dispatcher.utter_message(response="utter_undecided_without_theme")
        return []

    async def openings(self, theme: str, place: Place) -> list[EventType] | None:
        """The openings themselves, when a question names a trade ("Je cherche un emploi
        d'infirmier à Figeac", "il y a des boulangeries à reprendre ?"). None when it names
        none or nothing is found: the knowledge answer (with its button to the openings)
        then serves better than "nothing found"."""
        kind = openings_wanted(self.turn.latest, theme)
        if kind is None:
            return None
        commune, commune_name = place
        trade = [
            *entity_values(self.turn.latest, "job"),
            *entity_values(self.turn.latest, "sector"),
        ]
        search = new_search(kind, trade[0], commune, commune_name)
        offers = CollectingDispatcher()
        found = await search_and_reply(self.api, offers, search, only_if_found=True)
        if found is None:
            return None
        # "Andros recrute-t-il des conducteurs de ligne ?": an entry clearly about the
        # question comes first, the offers last, since the widget shows the buttons ("Voir
        # plus") of the last message only. The topic stays the openings'. Searched as it
        # stands: the trade names the topic, it is no follow-up.
        query = search_text(self.tracker, theme, asked=self.turn.asked)
        said = await say_if_clear(self.api, self.dispatcher, self.tracker, query, theme, place)
        if said is None:
            # "soudeur… y a du boulot dans l'industrie là-bas ?" asks about the trade's
            # prospects as much as for offers: the theme's entry likely about it says them.
            await say_if_agreed(self.api, self.dispatcher, self.tracker, query, [theme], place)
        self.dispatcher.messages.extend(offers.messages)
        return [SlotSet("opening_kind", kind), *found]

    async def from_knowledge(self, theme: str, place: Place) -> list[EventType]:
        """The best entry of the theme for the place; making it local is offered once,
        after the answer, when the place matters and is not known."""
        commune, commune_name = place
        query = search_text(self.tracker, theme, asked=self.turn.asked)
        # "plutôt vers Montcuq" after an answer: the place's own entries, where they exist.
        place_after = self.turn.intent == "inform_commune" and bool(self.turn.places)
        try:
            answer = await self.own_words_answer(theme, commune)
            if answer is None:
                answer = await self.api.search_knowledge(
                    query,
                    theme,
                    commune,
                    local_first=place_after,
                    place_carried=self.place_carried,
                    covered_by=None if place_after else self.shown_entry(theme),
                )
        except (ApiUnavailable, ApiRejected):
            logger.warning("knowledge.search_failed", extra={"sender": self.tracker.sender_id})
            _say(self.dispatcher, texts.api_down_reply(theme))
            return []
        if not answer.hits:
            await record_unanswered(self.api, query, theme, commune)
            _say(self.dispatcher, no_answer_reply(commune_name))
            return []
        place_unknown = (
            not commune and not self.turn.undecided and not self.tracker.get_slot("place_undecided")
        )
        offer_place = (
            theme in PLACE_THEMES and place_unknown and not self.tracker.get_slot("place_asked")
        )
        reply = answer_reply(
            answer.hits[0],
            theme,
            commune_name,
            local_entries=answer.local_entries,
            close_call=answer.close_call,
            offer_place=offer_place,
        )
        if self.turn.undecided:
            reply = Reply(f"{UNDECIDED_INTRO}\n\n{reply.text}", reply.buttons)
        say_answer(self.dispatcher, self.tracker, reply, answer.hits[0], commune)
        return [SlotSet("place_asked", True)] if offer_place else []

    async def own_words_answer(self, theme: str, commune: str | None) -> KnowledgeAnswer | None:
        """A follow-up that names its own subject ("et l'immatriculation, ça se fait où ?"
        after a bakery to take over): the entry of the theme clearly about its own words,
        which the question before would drown; or the entry just shown, when it holds every
        word of the follow-up ("c'est financé ?" after the ways to fund a retraining). None
        when there is neither."""
        turn = self.turn
        if turn.intent != texts.FOLLOW_UP_INTENT or not turn.typed or turn.asked:
            return None
        words = without_place(turn.text, turn.latest)
        own = await self.api.search_knowledge(
            words,
            theme,
            commune,
            confident_only=True,
            place_carried=self.place_carried,
            covered_by=self.shown_entry(theme),
        )
        return own if own.hits and own.hits[0].theme == theme else None

    def shown_entry(self, theme: str) -> str | None:
        """The entry of `theme` that answered the message before, for a typed question: "c'est
        financé par le CPF ?" after web development courses asks about those courses."""
        shown = feedback.last_shown_entry(self.tracker.events)
        return shown[0] if self.turn.typed and shown and shown[1] == theme else None


async def present_place(
    api: ApiClient,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    commune: str,
    commune_name: str,
) -> list[EventType] | None:
    """A town named alone ("Figeac", "on hésite du côté de Gourdon"): the entry written for
    it answers before any question, preferably on living there ("Rocamadour": the entry on
    its sites), else its communauté's; None when neither has one. The conversation is then
    about the town, not the entry's theme: no `last_theme`, so "on peut y vivre à l'année ?"
    is read about the town, not searched among Rocamadour's outings."""
    try:
        found = await api.search_knowledge(f"vivre {at_place(commune_name)}", "living", commune)
    except (ApiUnavailable, ApiRejected):
        return None
    if not found.hits or found.hits[0].scope_match == "department":
        return None
    hit = found.hits[0]
    say_answer(dispatcher, tracker, place_presented_reply(hit, commune_name), hit, commune)
    return []


def openings_wanted(latest: dict[str, Any], theme: str) -> str | None:
    """The kind of openings a question asks for outright: a trade named in a jobs question,
    or in a question about taking a business over."""
    if not [*entity_values(latest, "job"), *entity_values(latest, "sector")]:
        return None
    if theme == "jobs":
        return "job"
    if theme == "business" and asks_takeover(str(latest.get("text") or "")):
        return "takeover"
    return None


class ActionShowEntry(UsesApi, Action):
    """The runner-up the visitor picked ("Vous cherchiez plutôt : … ?")."""

    def name(self) -> str:
        return "action_show_entry"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        entry_ids = entity_values(tracker.latest_message, "entry_id")
        commune_name: str | None = tracker.get_slot("commune_name")
        try:
            hit = await self.api.knowledge_entry(entry_ids[0]) if entry_ids else None
        except ApiUnavailable:
            _say(dispatcher, texts.api_down_reply(None))
            return []
        if hit is None:
            dispatcher.utter_message(response="utter_entry_gone")
            return []
        theme = hit.theme if hit.theme in texts.THEMES else None
        if theme is None:
            _say(dispatcher, Reply(format_answer(hit, None), [menu_button()]))
            return []
        # The entry was chosen knowingly, and this path does not know how it relates to the
        # visitor's town: no preamble about the town, only the buttons keep it.
        reply = Reply(format_answer(hit, None), follow_up_buttons(theme, commune_name))
        say_answer(dispatcher, tracker, reply, hit, tracker.get_slot("commune"))
        return [SlotSet("last_theme", theme)]


class ActionAnswerTerritory(UsesApi, Action):
    """Facts about the département and its communes, from the territory data."""

    def name(self) -> str:
        return "action_answer_territory"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        question = str(latest.get("text") or "")
        if not is_payload(question) and widened_to_department(tracker, question):
            return await ThemeAnswer(self.api, dispatcher, tracker).run()
        commune: str | None = tracker.get_slot("commune")
        api = self.api
        try:
            answer = await api.territory_answer(
                question, commune, typed_before_latest(tracker.events)
            )
        except (ApiUnavailable, ApiRejected):
            logger.warning("territory.answer_failed", extra={"sender": tracker.sender_id})
            _say(dispatcher, texts.api_down_reply(None))
            return []
        # The commune answered about, or the one a department answer names (the préfecture):
        # "combien d'habitants dans cette ville ?" comes next.
        place = answer.commune
        events = place_events(place)
        # "ils sont où exactement ?" after an answer: no place named, so about the last topic.
        if answer.kind == "department" and answer.fact in ("card", "location"):
            followed = await answer_if_clear(
                api, dispatcher, tracker, question, [], follow_up_only=True
            )
            if followed is not None:
                return followed
        again = await answer_again_for_the_lot(api, dispatcher, tracker, question, answer)
        if again is not None:
            return again
        # "Le Vigan-en-Quercy, c'est comment comme coin ?": no fact asked, and an entry on
        # the place says more than its identity card; "la MDPH du Lot c'est où ?" about
        # Figeac: where the MDPH is, not where Figeac is.
        if imprecise(answer) and answer.kind != "outside":
            where = place.insee if place else commune
            try:
                found = await api.search_knowledge(question, None, where, confident_only=True)
            except (ApiUnavailable, ApiRejected):
                found = None
            if found and found.hits:
                hit = found.hits[0]
                reply = answer_reply(
                    hit,
                    hit.theme,
                    place.name if place else tracker.get_slot("commune_name"),
                    local_entries=found.local_entries,
                    close_call=found.close_call,
                )
                say_answer(dispatcher, tracker, reply, hit, where)
                return [*events, SlotSet("last_theme", hit.theme)]
        _say(dispatcher, territory_reply(answer))
        return events


# Facts too vague to answer a message the NLU placed elsewhere: "card" (nothing asked) and
# "location" ("dans le Lot" ends many questions on other themes).
_IMPRECISE_FACTS = ("card", "location")


def imprecise(reading: TerritoryReply) -> bool:
    """The reading answers no particular fact: also the Lot's communes, too many to list,
    which "les pèlerins, ils traversent quels villages du lot ?" does not ask for."""
    department_list = reading.kind == "department" and reading.fact == "commune_list"
    return reading.fact in _IMPRECISE_FACTS or department_list


# Readings of one commune of the Lot, or of a former one.
_LOT_PLACE = ("commune", "delegated")
# Readings whose place is a commune of the Lot (a commune déléguée's is the one it belongs to;
# a communauté's, "le Figeacois", its most populated commune, which its answer names).
_PLACE_KINDS = ("commune", "delegated", "epci")


def place_events(place: Commune | None) -> list[EventType]:
    """The commune the conversation is now about."""
    if place is None:
        return []
    return [
        SlotSet("commune", place.insee),
        SlotSet("commune_name", place.name),
        SlotSet("place_undecided", False),
    ]


async def named_place(api: ApiClient, latest: dict[str, Any]) -> Commune | None:
    """The commune of the Lot the message names, if any (None when the API is out of reach:
    the caller goes on without it)."""
    places = entity_values(latest, "commune")
    if not places:
        return None
    try:
        resolution = await api.resolve_commune(places[0])
    except (ApiUnavailable, ApiRejected):
        return None
    return resolution.commune if resolution.status == "found" else None


async def read_territory(api: ApiClient, tracker: Tracker, text: str) -> TerritoryReply | None:
    """What the territory data makes of a message; None when the API is out of reach (the
    caller goes on without it)."""
    try:
        return await api.territory_answer(
            text, tracker.get_slot("commune"), typed_before_latest(tracker.events)
        )
    except (ApiUnavailable, ApiRejected):
        return None


def asks_a_fact(
    reading: TerritoryReply, *, in_topic: bool = False, territory_leaning: bool = False
) -> bool:
    """Whether the message asks one of the territory's facts ("populasion de Figeac", "qui
    sont les référents pour Souillac ?"), not only names a place. `in_topic`: a theme is
    being discussed, so "et à Figeac, qui contacter ?" asks for the theme's contacts there,
    not for the référent team. `territory_leaning`: the NLU hesitated towards a territory
    question, so "lauzerte dans le lot ou pas" asks where a place outside the Lot is."""
    if reading.kind == "unknown":
        return False
    if imprecise(reading):
        return territory_leaning and reading.kind == "outside" and reading.fact == "location"
    return not (in_topic and reading.fact == "referent")


async def answer_territory_fact(
    api: ApiClient, dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> list[EventType] | None:
    """Answers from the territory data when the message asks one of its facts although the
    NLU was unsure; None when it asks none (or the API is out of reach)."""
    reading = await read_territory(api, tracker, text)
    if reading is None:
        return None
    return say_territory_fact(dispatcher, reading)


def say_territory_fact(
    dispatcher: CollectingDispatcher, reading: TerritoryReply, *, territory_leaning: bool = False
) -> list[EventType] | None:
    """Says the territory data's reading of a message when it asks one of its facts; None
    when it asks none."""
    if not asks_a_fact(reading, territory_leaning=territory_leaning):
        return None
    _say(dispatcher, territory_reply(reading))
    return place_events(reading.commune)


async def answer_again_for_the_lot(
    api: ApiClient,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    question: str,
    reading: TerritoryReply,
) -> list[EventType] | None:
    """ "et en Corrèze c'est pareil ?" after the Lot's school holidays: where that place is,
    then the Lot's answer to the question before, which the visitor can compare with; None
    when the message does not ask the last question again for a place outside the Lot."""
    last_theme: str | None = tracker.get_slot("last_theme")
    outside = reading.kind == "outside" and reading.fact in _IMPRECISE_FACTS
    if not (last_theme and outside and asks_same_elsewhere(question)):
        return None
    before = typed_before_latest(tracker.events)
    if before is None:
        return None
    collected = CollectingDispatcher()
    place = slot_place(tracker)
    # The question before alone: the other place's name must not weigh on the search.
    followed = await say_if_clear(api, collected, tracker, before, last_theme, place)
    if followed is None:
        return None
    where_it_is = reading.text.strip().split("\n")[0]
    _say(dispatcher, texts.Reply(f"{where_it_is} {FOR_THE_LOT}"))
    dispatcher.messages.extend(collected.messages)
    return followed


def widened_to_department(tracker: Tracker, text: str) -> bool:
    """ "et dans le reste du département ?" after a theme's answer about a town, whatever
    the NLU made of it: the same question for the whole Lot (not, after a town's
    population, the department's)."""
    return (
        widens_to_department(text)
        and bool(tracker.get_slot("commune"))
        and bool(tracker.get_slot("last_theme"))
        and previous_answer(tracker.events) != "action_answer_territory"
    )


def leans_to_territory(parse_data: dict[str, Any]) -> bool:
    """Whether a territory question is one of the two readings the NLU hesitated between."""
    ranking = [
        item.get("name")
        for item in parse_data.get("intent_ranking") or []
        if item.get("name") != "nlu_fallback"
    ]
    return TERRITORY_INTENT in ranking[:2]


async def record_unanswered(
    api: ApiClient, text: str, theme: str | None, commune: str | None
) -> None:
    """Best effort: the editors' list of open questions must never break a conversation."""
    try:
        await api.record_unanswered(text, theme, commune)
    except (ApiUnavailable, ApiRejected):
        logger.warning("knowledge.unanswered_not_recorded")


async def answer_if_clear(
    api: ApiClient,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    text: str,
    themes: list[str],
    *,
    follow_up_only: bool = False,
    place: Place | None = None,
) -> list[EventType] | None:
    """Answers from the knowledge base when an entry is clearly about the message, read
    with the last question on the last theme when it is a short follow-up; None when no
    entry is (or the API is out of reach: the caller then does its usual work). A
    follow-up's own words come first, as in `ThemeAnswer.own_words_answer`. `place`:
    (INSEE code, name) of a commune resolved in this turn, not yet in the slots."""
    last_theme: str | None = tracker.get_slot("last_theme")
    commune, commune_name = place or slot_place(tracker)
    query, theme = text, themes[0] if themes else None
    follow_up = (
        bool(last_theme) and len(text.split()) <= FOLLOW_UP_MAX_WORDS and not changes_subject(text)
    )
    if follow_up_only and not follow_up:
        return None
    if follow_up:
        previous = last_question_about(tracker.events[:-1], str(last_theme))
        if previous:
            subject = carried_subject(tracker.events, previous)
            query = " ".join(w for w in (subject, previous[0], text) if w)
        theme = last_theme
    place_now = (commune, commune_name)
    if query != text:
        # "et pour pêcher il faut une carte ?" after canoes on the Célé: an entry clearly
        # about the follow-up's own words answers it; read with the question before, the
        # canoes would win.
        said = await say_if_clear(api, dispatcher, tracker, text, theme, place_now)
        if said is not None:
            return said
    return await say_if_clear(api, dispatcher, tracker, query, theme, place_now)


async def say_if_clear(
    api: ApiClient,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    query: str,
    theme: str | None,
    place: Place,
) -> list[EventType] | None:
    """Says the entry clearly about `query`, if one is; None otherwise (or when the API is
    out of reach). `place`: (INSEE code, name) of the commune, or (None, None)."""
    answer = await _search(api, query, theme, place, confident_only=True)
    if answer is None or not answer.hits:
        return None
    return _say_first(dispatcher, tracker, answer, place)


async def say_best_of_theme(
    api: ApiClient,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    query: str,
    theme: str,
    place: Place,
) -> list[EventType] | None:
    """Says the best entry for `query`, searched with `theme`'s weight, when it is one of
    `theme`'s; None otherwise (or when the API is out of reach)."""
    answer = await _search(api, query, theme, place, confident_only=False)
    if answer is None or not answer.hits or answer.hits[0].theme != theme:
        return None
    return _say_first(dispatcher, tracker, answer, place)


async def say_if_agreed(
    api: ApiClient,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    query: str,
    themes: list[str],
    place: Place,
) -> list[EventType] | None:
    """Says the best of the entries likely about `query`, searched over every theme, whose
    theme is one the NLU hesitated towards (`themes`): two readings agree. None when no
    such entry is (or the API is out of reach)."""
    answer = await _search(api, query, None, place, confident_only=False, likely_only=True)
    if answer is None:
        return None
    agreed = tuple(hit for hit in answer.hits if hit.theme in themes)
    if not agreed:
        return None
    if agreed[0] != answer.hits[0]:
        # The best entries were of themes the NLU ruled out: so may be their runner-up.
        answer = replace(answer, hits=agreed, close_call=None)
    return _say_first(dispatcher, tracker, answer, place)


async def _search(
    api: ApiClient,
    query: str,
    theme: str | None,
    place: Place,
    *,
    confident_only: bool,
    likely_only: bool = False,
) -> KnowledgeAnswer | None:
    try:
        return await api.search_knowledge(
            query, theme, place[0], confident_only=confident_only, likely_only=likely_only
        )
    except (ApiUnavailable, ApiRejected):
        return None


def _say_first(
    dispatcher: CollectingDispatcher, tracker: Tracker, answer: KnowledgeAnswer, place: Place
) -> list[EventType]:
    commune, commune_name = place
    hit = answer.hits[0]
    reply = answer_reply(
        hit,
        hit.theme,
        commune_name,
        local_entries=answer.local_entries,
        close_call=answer.close_call,
    )
    say_answer(dispatcher, tracker, reply, hit, commune)
    return [SlotSet("last_theme", hit.theme)]


# -- what the visitor reads ---------------------------------------------------------------


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
            f"{text}\n\n{PLACE_OFFER}",
            [*alternative, *openings, *town_buttons(MAIN_TOWNS[:4]), referent_button()],
        )
    return Reply(text, [*alternative, *follow_up_buttons(theme, commune_name)])


def territory_reply(answer: TerritoryReply) -> Reply:
    """A territory fact as the API words it, with its sources; then what may come next."""
    lines = [line for line in (answer.text.strip(), format_sources(answer)) if line]
    if answer.kind in _PLACE_KINDS and answer.commune is not None:
        return Reply("\n\n".join(lines), theme_buttons(answer.commune.name)[:6])
    # "le Ségala" spans several communautés: the answer asks for a town.
    if answer.kind in ("outside", "unknown", "area"):
        return Reply("\n\n".join(lines), town_buttons(MAIN_TOWNS[:4]))
    return Reply("\n\n".join(lines), [menu_button(), referent_button()])


def no_answer_reply(commune_name: str | None) -> Reply:
    where = f" {at_place(commune_name)}" if commune_name else ""
    return Reply(
        f"Je n'ai pas encore de réponse fiable sur ce point{where}, désolé. "
        "Un référent accueil peut vous renseigner personnellement.",
        [referent_button(), menu_button()],
    )


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
