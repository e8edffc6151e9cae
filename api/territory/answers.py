"""Answers to questions about the territory itself ("code postal de St-Céré ?", "combien
d'habitants a Figeac ?", "Capdenac-Gare, c'est dans le Lot ?"), composed from the data of
knowledge/territory/: every figure is shown with its year and its source.

Three steps: find the place named in the question (the resolver, tried on the word n-grams of
the question, longest first; of several places, the one asked about rather than a landmark,
and a commune rather than a communauté or an area), recognise the fact asked (cue words,
misspelt ones included), write the answer.

A communauté (EPCI) is answered with what communes.csv gives: its number of communes, their
summed population, their list; named ("Cauvaldor", "le Figeacois" of secteurs.yml) or as the
communauté of the commune in view ("combien d'habitants dans toute la communauté ?"). Its
answer's commune is its most populated one, which the bot keeps as the conversation's place.
An area over several communautés ("le Ségala") is never turned into one commune: the answer
names the communautés it spans.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from api.territory.normalize import place_key, query_keys, tokens
from api.territory.schemas import (
    AnswerKind,
    Area,
    Commune,
    Epci,
    OutsidePlace,
    Resolution,
    Source,
    TerritoryAnswer,
    TerritoryFact,
)
from api.territory.service import Territory

_WORD = re.compile(r"[^\W_]+")
_NBSP = "\u00a0"
# Communes named at the most when several share a postal code (largest first).
_MAX_LISTED = 8
# A communauté's communes are all listed up to this many; beyond, its largest ones.
_MAX_MEMBERS_LISTED = 20
_LARGEST_MEMBERS = 10

# Common words of a question (accents folded), never the start of a place name. A place whose
# name starts with one ("Vers", "Le Bourg") is still found when the question names no other.
_STOP_TEXT = """
    a ai as au aux avec avez avoir avons bien c ca car ce ceci cela celle celui ces cet cette
    chez comme comment d dans de des deja dire dis dites donc donne donnee donner donnez du elle
    elles en encore est et etait etre eu faire fait font hui ici il ils j je jusqu l la le les
    leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ont ou par pas peu
    peut peux pouvez pour pourquoi pourrais pourriez puis qu quand que quel quelle quelles quels
    qui quoi s sa sais sait savez savoir se ses si son sont sous sur svp stp t ta te tes toi ton
    tous tout toute tres tu un une vers voici voila vos votre vous y
    aujourd actuellement maintenant toujours depuis avant apres
    allo bonjour bonsoir salut merci oui non ok okay hello coucou please
    aimerais aimerait voudrais voudrait veux voulez connaitre connais connait dit indiquer
    indiquez renseigner chercher cherche trouve trouver trouvent situe situee situes situees
    appartient appartiennent depend dependent releve partie exactement environ plus moins
    combien nombre numero info infos information informations renseignement renseignements
    lot departement lotois lotoise lotoises 46 france occitanie region quercy
    commune communes ville villes village villages municipalite mairie bourg coin endroit lieu
    localite territoire secteur ancienne anciennes ancien anciens nouvelle nouvelles
    code codes postal postaux cp insee officiel geographique cog
    habitant habitants population populations gens personnes ames peuple peuplee demographie
    superficie surface km km2 kilometres carres etendue taille
    prefecture prefectures prefet sous chef capitale arrondissement arrondissements canton
    cantons communaute communautes intercommunalite intercommunalites intercommunal interco
    epci agglo agglomeration comcom cdc
    referent referents referente referentes equipe equipes interlocuteur interlocuteurs contact
    contacts contacter accueil adresser aider accompagner
    deleguee deleguees delegue fusion fusionne fusionnee fusionnees fusionnes fusionner
    regroupement regroupee rattachee rattache existe
    coeur porte tour
    bon bah ben bref alors enfin sinon euh hum ah oh eh tiens super parfait genial accord
    serieusement franchement vraiment juste simplement rapidement vite
    coup fois moment jour jours semaine mois an ans annee matin soir heure heures
    total endroit monde ce cette ces ca la bas
    pareil pareille pareils idem aussi egalement
"""
_STOP_WORDS = frozenset(_STOP_TEXT.split())
# A word the assistant does not know is reported as an unknown place only when it is this
# close (rapidfuzz ratio) to a name of the Lot, or written as a name (capital letter inside
# the sentence, hyphenated parts): "du coup" or "au bon endroit" name no place.
_UNKNOWN_PLACE_SIMILARITY = 80.0
# Phrases that introduce a place given as a landmark ("Vers, près de Cahors", "à côté de"):
# when the question names another place, that one is the place asked about.
_LANDMARK_PHRASES = (
    ("pres", "de"),
    ("pres", "d"),
    ("cote", "de"),
    ("cote", "d"),
    ("pas", "loin", "de"),
    ("pas", "loin", "d"),
    ("non", "loin", "de"),
    ("proche", "de"),
    ("proche", "d"),
    ("aux", "environs", "de"),
)
# Words that introduce a place, so that a name that is also a common word ("vers") after
# them is the place: "le village de Vers", "à Vers".
_BEFORE_A_NAME = frozenset({"a", "de", "d", "du", "village", "commune", "ville", "bourg"})
# Words after which a word the assistant does not know is taken for a place name.
_PLACE_PREPOSITIONS = frozenset({"a", "au", "aux", "de", "d", "du", "pour", "sur", "vers", "chez"})
# What follows a place name that starts a question ("Trifouilly, c'est où ?").
_AFTER_A_PLACE = ("c est ", "est ", "se ", "fait ", "a ", "dans ", "en ")
# Words that may join the parts of a place name ("Trifouilly-les-Oies").
_NAME_CONNECTORS = frozenset({"de", "d", "du", "des", "la", "le", "les", "l", "sur", "en", "et"})
_DEPARTMENT_WORDS = frozenset({"lot", "departement", "46", "lotois", "lotoise", "lotoises"})
# Words that name the Lot itself, not any département.
_LOT_NAMES = _DEPARTMENT_WORDS - {"departement"}

# The fact asked, from cue words (accents folded); the first fact with a cue in the question
# wins. A cue is a phrase, or words joined by "+" that must all appear somewhere.
_CUES: tuple[tuple[TerritoryFact, tuple[str, ...]], ...] = (
    (
        "referent",
        (
            "referent",
            "referents",
            "referente",
            "equipe",
            "equipes",
            "interlocuteur",
            "interlocuteurs",
            "qui contacter",
            "m adresser",
            "s adresser",
            "qui peut m aider",
            "contact",
            "contacter",
            "accueil",
        ),
    ),
    ("postal_code", ("code postal", "codes postaux", "cp", "postal")),
    ("insee_code", ("code insee", "numero insee", "code commune", "code officiel", "cog")),
    # Before the mergers: "Martel est rattachée à quelle interco ?" asks the communauté.
    (
        "epci",
        (
            "communaute",
            "communautes",
            "intercommunalite",
            "intercommunalites",
            "intercommunal",
            "interco",
            "epci",
            "agglo",
            "agglomeration",
            "comcom",
            "com com",
            "cdc",
        ),
    ),
    (
        "merger",
        (
            "commune nouvelle",
            "communes nouvelles",
            "deleguee",
            "deleguees",
            "fusion",
            "fusionne",
            "fusionnee",
            "fusionnees",
            "fusionnes",
            "fusionner",
            "regroupement",
            "regroupee",
            "ancienne commune",
            "anciennes communes",
            "quelle commune",
            "rattachee",
            "existe plus",
            "existe encore",
        ),
    ),
    (
        "commune_list",
        (
            "quelles+communes",
            "quels+villages",
            "quelles+villes",
            "liste+communes",
            "liste+villages",
            "communes+membres",
            "communes+composent",
        ),
    ),
    (
        "commune_count",
        (
            "combien+communes",
            "nombre+communes",
            "combien+villages",
            "combien+villes",
            "combien+municipalites",
        ),
    ),
    ("subprefectures", ("sous prefecture", "sous prefectures", "sous prefet")),
    ("prefecture", ("prefecture", "prefectures", "chef lieu", "prefet", "capitale")),
    ("arrondissements", ("arrondissement", "arrondissements")),
    ("cantons", ("canton", "cantons")),
    (
        "population",
        (
            "habitant",
            "habitants",
            "population",
            "populations",
            "peuple",
            "peuplee",
            "demographie",
            "combien+gens",
            "combien+personnes",
            "combien+ames",
        ),
    ),
    ("area", ("superficie", "surface", "km2", "km", "kilometres carres", "etendue", "taille")),
    ("region", ("region", "occitanie")),
    (
        "location",
        (
            "dans le lot",
            "c est ou",
            "ou c est",
            "ou se trouve",
            "ou se situe",
            "ou est",
            "ou ca",
            "situe",
            "situee",
            "departement",
            "lotois",
            "lotoise",
        ),
    ),
)
# Facts of the département as a whole; asked about a commune, they are answered for the
# département after saying where the commune is.
_COUNTS: frozenset[TerritoryFact] = frozenset({"commune_count", "commune_list"})
_DEPARTMENT_FACTS: frozenset[TerritoryFact] = _COUNTS | frozenset(
    {"region", "prefecture", "subprefectures", "arrondissements", "cantons"}
)
# Facts a communauté has of its own; asked with "la communauté" about a commune, they are
# answered for the commune's communauté.
_EPCI_FACTS: frozenset[TerritoryFact] = _COUNTS | {"population"}


@dataclass(frozen=True)
class _Word:
    text: str
    key: str
    start: int
    end: int


@dataclass(frozen=True)
class _Place:
    resolution: Resolution
    first: int
    last: int


@dataclass(frozen=True)
class _Candidate:
    """A place found in the question, with what tells the place asked about from the others."""

    place: _Place
    # 0: a sure match; 1: a corrected misspelling; 2: a sure match whose name starts with a
    # common word ("Porte-du-Quercy", "Vers"), which the question may use as that word; 3: a
    # communauté or an area, wider than a commune the question names besides.
    tier: int
    landmark: bool
    # Where the name itself starts, after a "près de" the span may begin with.
    name_first: int
    # A name made of common words only ("Vers", "Le Bourg"), unlike "Les Arques".
    common: bool


@dataclass(frozen=True)
class _Gazetteer:
    """Keys of every name the resolver knows exactly, to tell a sure match from a guess."""

    names: frozenset[str]
    outside: frozenset[str]
    # Every word of those names: never corrected into a fact word.
    name_words: frozenset[str]
    max_words: int


@lru_cache(maxsize=8)
def _gazetteer(territory: Territory) -> _Gazetteer:
    outside = {
        place_key(name)
        for place in territory.outside_places()
        for name in [place.name, *place.aliases]
    }
    names = {place_key(commune.name) for commune in territory.communes()}
    names |= {place_key(former.name) for former in territory.delegated_communes()}
    names |= set(territory.areas())
    names |= outside
    return _Gazetteer(
        names=frozenset(names),
        outside=frozenset(outside),
        name_words=frozenset(word for name in names for word in name.split()),
        max_words=max(len(name.split()) for name in names) + 1,
    )


# Fact words a misspelling is corrected into: the one-word cues, long enough for a
# correction to be safe ("cp", "km" and "cdc" are only taken as typed), and no verb forms,
# which a conjugated verb is one letter off ("regroupe" is not "regroupée").
_VERB_CUES = frozenset(
    {
        "fusionne",
        "fusionnee",
        "fusionnees",
        "fusionnes",
        "fusionner",
        "regroupee",
        "rattachee",
        "deleguee",
        "deleguees",
        "peuplee",
        "situee",
        "contacter",
    }
)
_CUE_WORDS = tuple(
    sorted(
        cue
        for _, cues in _CUES
        for cue in cues
        if " " not in cue and "+" not in cue and len(cue) >= 6 and cue not in _VERB_CUES
    )
)
# Feminine endings: "code postale" asks the postal code.
_INFLECTIONS = ("es", "e")
# A misspelling is corrected only in words this long ("habitans", "populasion"): in shorter
# ones, one letter off is often another word ("carton" is not "canton").
_MIN_CORRECTED_LENGTH = 8
# Endings of conjugated verbs, kept by a correction: "habitent" is not "habitant".
_VERB_ENDINGS = ("ent", "ait")


def _cue_spelling(key: str, name_words: frozenset[str]) -> str:
    """The fact word a visitor meant ("populasion" -> "population"), else the word itself.
    Words of place names and known common words are kept as typed."""
    if key in _STOP_WORDS or key in name_words or key in _CUE_WORDS:
        return key
    for ending in _INFLECTIONS:
        if key.endswith(ending) and key[: -len(ending)] in _CUE_WORDS:
            return key[: -len(ending)]
    if len(key) < _MIN_CORRECTED_LENGTH:
        return key
    match = process.extractOne(
        key, _CUE_WORDS, scorer=OSA.distance, score_cutoff=1 if len(key) < 12 else 2
    )
    if match is None:
        return key
    cue = str(match[0])
    verb_ending = next((ending for ending in _VERB_ENDINGS if key.endswith(ending)), None)
    return key if verb_ending and not cue.endswith(verb_ending) else cue


def _words(text: str, name_words: frozenset[str] = frozenset()) -> list[_Word]:
    words = []
    for match in _WORD.finditer(text):
        keys = tokens(match.group())
        if keys:
            key = _cue_spelling(keys[0], name_words)
            words.append(_Word(match.group(), key, match.start(), match.end()))
    return words


def _is_stop(key: str) -> bool:
    return key in _STOP_WORDS or (key.isdigit() and len(key) != 5)


def _is_sure(resolution: Resolution, key: str, gazetteer: _Gazetteer) -> bool:
    if resolution.status == "found" or resolution.area is not None:
        return resolution.via != "fuzzy"
    if resolution.status == "outside_lot":
        # A postal code of another département, or a well-known name spelt right.
        return resolution.outside is None or any(
            candidate in gazetteer.outside for candidate in query_keys(key)
        )
    return False


def _find_place(territory: Territory, question: str, words: list[_Word]) -> _Place | None:
    """The place the question is about. Of several, a sure match before a corrected
    misspelling before a name that is also a common word ("vers"), and a place given as a
    landmark ("près de Cahors") only when the question names no other."""
    gazetteer = _gazetteer(territory)
    keys = [word.key for word in words]
    candidates: list[_Candidate] = []
    taken: set[int] = set()
    for size in range(min(len(keys), gazetteer.max_words), 0, -1):
        for first in range(len(keys) - size + 1):
            last = first + size - 1
            if taken & set(range(first, last + 1)):
                continue
            span = keys[first : last + 1]
            key = " ".join(span)
            is_name = place_key(key) in gazetteer.names
            starts_stop = _is_stop(span[0])
            if not is_name and (starts_stop or _is_stop(span[-1])):
                continue
            resolution = territory.resolve(key)
            place = _Place(resolution, first, last)
            name = place_key(key).split()
            if _is_sure(resolution, key, gazetteer):
                taken |= set(range(first, last + 1))
                # "Gramat, c'est dans le Grand-Figeac ?" asks about Gramat.
                tier = 3 if resolution.area else 2 if _is_stop(name[0]) else 0
            elif (resolution.status != "unknown" or resolution.area) and not starts_stop:
                tier = 1
            else:
                continue
            landmark = _landmark_phrase(keys, first, last)
            candidates.append(
                _Candidate(
                    place,
                    tier,
                    landmark=landmark is not None,
                    name_first=first + (landmark or 0),
                    common=all(_is_stop(word) for word in name),
                )
            )
    sure = [c for c in candidates if c.tier != 1]
    # "on a parié un resto, le Lot est dans quelle région ?": a fact of the Lot asked, a word
    # corrected into a place outside it ("Paris") is no place ("Toulouze c'est dans le Lot ?"
    # still asks where Toulouse is).
    names_lot = not _LOT_NAMES.isdisjoint(keys) and detect_fact(keys) in _DEPARTMENT_FACTS
    kept = [
        candidate
        for candidate in candidates
        if (candidate.tier != 1 or not _overlaps(candidate.place, sure))
        and (not candidate.common or _stands_as_place(question, words, candidate.place, sure))
        and not (candidate.tier == 1 and names_lot and _outside(candidate))
    ]
    # "Nous sommes de Villeneuve-sur-Lot. Prayssac, c'est dans quelle communauté ?": a place
    # of the Lot before one outside it. Longest and leftmost first among equals: the order
    # in which they were found.
    return min(kept, key=lambda c: (c.landmark, _outside(c), c.tier)).place if kept else None


def _outside(candidate: _Candidate) -> bool:
    return candidate.place.resolution.status == "outside_lot"


def _overlaps(place: _Place, others: list[_Candidate]) -> bool:
    return any(
        other.place.first <= place.last and place.first <= other.place.last for other in others
    )


def _landmark_phrase(keys: list[str], first: int, last: int) -> int | None:
    """The length of the "près de"… that introduces the place as a landmark: 0 before it,
    else the words it takes at the start of the span (the resolver reads "près de Cahors" as
    Cahors); None when the place is no landmark."""
    for phrase in _LANDMARK_PHRASES:
        if tuple(keys[max(0, first - len(phrase)) : first]) == phrase:
            return 0
        if last - first >= len(phrase) and tuple(keys[first : first + len(phrase)]) == phrase:
            return len(phrase)
    return None


def _stands_as_place(
    question: str, words: list[_Word], place: _Place, sure: list[_Candidate]
) -> bool:
    """Whether a name that is also a common word is used as the name: "le village de Vers",
    "Vers, c'est où ?", "Vers, près de Cahors", but not "vers 18h" nor "vers Cahors"."""
    following = words[place.last + 1].key if place.last + 1 < len(words) else None
    if following is not None and following[:1].isdigit():
        return False
    if any(other.name_first == place.last + 1 for other in sure):
        return False
    if question[words[place.last].end :].lstrip().startswith(","):
        return True
    if place.first == 0:
        rest = "".join(f"{w.key} " for w in words[place.last + 1 : place.last + 3])
        return not rest or rest.startswith(_AFTER_A_PLACE)
    return words[place.first].text[:1].isupper() or words[place.first - 1].key in _BEFORE_A_NAME


def _unknown_place(territory: Territory, question: str, words: list[_Word]) -> str | None:
    """The words that look like a place name the assistant does not know, as typed."""
    gazetteer = _gazetteer(territory)
    for index, word in enumerate(words):
        if _is_stop(word.key):
            continue
        if not _names_a_place(words, index):
            continue
        first, last = index, index
        while last + 1 < len(words):
            following = words[last + 1].key
            if not _is_stop(following) or _hyphenated(question, words[last], words[last + 1]):
                last += 1
            elif (
                following in _NAME_CONNECTORS
                and last + 2 < len(words)
                and not _is_stop(words[last + 2].key)
            ):
                last += 2
            else:
                break
        while first > 0 and _hyphenated(question, words[first - 1], words[first]):
            first -= 1
        if _written_as_a_name(question, words, first, last) or _close_to_a_name(
            " ".join(w.key for w in words[first : last + 1]), gazetteer
        ):
            return question[words[first].start : words[last].end]
    return None


def _names_a_place(words: list[_Word], index: int) -> bool:
    """Whether an unknown word stands where a place name would: after "à", "de"…, with a
    capital letter inside the sentence, or first and followed by "c'est", "est"…"""
    word = words[index]
    if index == 0:
        following = "".join(f"{w.key} " for w in words[1:3])
        return not following or following.startswith(_AFTER_A_PLACE)
    proper_noun = word.text[:1].isupper() or word.key.isdigit()
    return proper_noun or words[index - 1].key in _PLACE_PREPOSITIONS


def _written_as_a_name(question: str, words: list[_Word], first: int, last: int) -> bool:
    """A capital letter inside the sentence, parts joined by hyphens, or the whole message or
    its subject ("Trifouilly, c'est où ?"): a place name, where a common word would not be."""
    if first > 0 and words[first].text[:1].isupper():
        return True
    if last > first and _hyphenated(question, words[first], words[first + 1]):
        return True
    return first == 0 and words[first].key.isalpha()


def _close_to_a_name(key: str, gazetteer: _Gazetteer) -> bool:
    """A misspelling of a name of the Lot, too far off for the resolver to be sure."""
    return (
        process.extractOne(
            key, gazetteer.names, scorer=fuzz.ratio, score_cutoff=_UNKNOWN_PLACE_SIMILARITY
        )
        is not None
    )


def _hyphenated(question: str, before: _Word, after: _Word) -> bool:
    """Whether two words are joined by a hyphen, as the parts of a name are."""
    return question[before.end : after.start] == "-"


def detect_fact(
    keys: list[str], ignored: frozenset[TerritoryFact] = frozenset()
) -> TerritoryFact | None:
    """The fact asked, from the question's words (folded keys, the place's words left out),
    leaving out the `ignored` facts."""
    # "communauté de communes" counts no communes: "combien d'habitants dans la communauté
    # de communes ?" asks the population.
    text = f" {' '.join(keys)} "
    for phrase in (" de communes ", " d agglomeration "):
        text = text.replace(f" communaute{phrase}", " communaute ")
        text = text.replace(f" communautes{phrase}", " communautes ")
    present = set(text.split())
    for fact, cues in _CUES:
        if fact in ignored:
            continue
        for cue in cues:
            if "+" in cue:
                if all(part in present for part in cue.split("+")):
                    return fact
            elif f" {cue} " in text:
                return fact
    return None


def asked_fact(territory: Territory, question: str) -> TerritoryFact | None:
    """The fact a question on the territory asks, the place it names left aside; None when
    it says more than that ("on habite à 2 km du collège" asks no area)."""
    words = _words(question, _gazetteer(territory).name_words)
    place = _find_place(territory, question, words)
    keys = [
        w.key for i, w in enumerate(words) if place is None or not place.first <= i <= place.last
    ]
    return detect_fact(keys) if all(_is_stop(key) for key in keys) else None


def _number(value: int) -> str:
    return f"{value:,}".replace(",", _NBSP)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} et {items[-1]}"


def _bold(items: list[str]) -> list[str]:
    return [f"**{item}**" for item in items]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _communes(count: int) -> str:
    return f"{_number(count)} commune{'s' if count > 1 else ''}"


def _epci_label(name: str) -> str:
    """The official EPCI name in words: CC Grand-Figeac -> communauté de communes Grand-Figeac."""
    for short, long in (("CC ", "communauté de communes "), ("CA ", "communauté d'agglomération ")):
        if name.startswith(short):
            return long + name[len(short) :]
    return name


def _habitants(value: int) -> str:
    return f"**{_number(value)} habitant{'s' if value > 1 else ''}**"


class _Composer:
    """Writes the French text of one answer and collects the sources it cites."""

    def __init__(self, territory: Territory, question: str) -> None:
        self.territory = territory
        self.question = question
        self.department = territory.department()
        self.data = self.department.commune_data
        self.sources: list[Source] = []

    def cite(self, *sources: Source) -> str:
        unique = list(dict.fromkeys(sources))
        for source in unique:
            if source not in self.sources:
                self.sources.append(source)
        return f"({' ; '.join(source.title for source in unique)})"

    def result(
        self,
        kind: AnswerKind,
        fact: TerritoryFact,
        lines: list[str],
        commune: Commune | None = None,
        area: Area | None = None,
    ) -> TerritoryAnswer:
        return TerritoryAnswer(
            query=self.question,
            kind=kind,
            fact=fact,
            text="\n".join(lines).strip(),
            sources=self.sources,
            commune=commune,
            area=area,
        )

    # --- The département -------------------------------------------------------------------

    def department_answer(
        self, fact: TerritoryFact | None, told_apart: OutsidePlace | None = None
    ) -> TerritoryAnswer:
        chosen: TerritoryFact = fact or "card"
        # "la préfecture du Lot" is answered with one town, which "cette ville" may name next.
        named = (
            self.territory.lookup(self.department.prefecture.value).commune
            if chosen == "prefecture"
            else None
        )
        lines = self.department_lines(chosen)
        if told_apart is not None:
            lines.append(
                f"L'autre département que vous citez, **{told_apart.departement} "
                f"({told_apart.departement_code})**, n'est pas le {self.department.name} : je "
                f"ne connais bien que le {self.department.name}."
            )
        return self.result("department", chosen, lines, named)

    def department_lines(self, fact: TerritoryFact) -> list[str]:
        d = self.department
        communes = len(self.territory.communes())
        as_of = f"au 1er janvier {self.data.communes.year}"
        if fact == "region":
            return [
                f"Le {d.name} ({d.code}) fait partie de la région **{d.region.value}** "
                f"{self.cite(d.region.source)}."
            ]
        if fact in ("prefecture", "subprefectures"):
            subs = d.subprefectures.value
            return [
                f"La préfecture du {d.name} est **{d.prefecture.value}** ; "
                f"{'ses sous-préfectures sont' if len(subs) > 1 else 'sa sous-préfecture est'} "
                f"{_join(_bold(subs))} {self.cite(d.prefecture.source, d.subprefectures.source)}."
            ]
        if fact == "arrondissements":
            towns = d.arrondissements.value
            return [
                f"Le {d.name} compte **{len(towns)} arrondissements**, ceux de "
                f"{_join(_bold(towns))} {self.cite(d.arrondissements.source)}."
            ]
        if fact == "cantons":
            year = f" en {d.cantons.year}" if d.cantons.year else ""
            return [
                f"Le {d.name} compte **{d.cantons.value} cantons**{year} "
                f"{self.cite(d.cantons.source)}."
            ]
        if fact == "commune_count":
            return [
                f"Le {d.name} compte **{_number(communes)} communes** {as_of} "
                f"{self.cite(self.data.communes.source)}."
            ]
        if fact == "commune_list":
            return [
                f"Le {d.name} compte **{_number(communes)} communes** {as_of} "
                f"{self.cite(self.data.communes.source)} : trop pour les citer toutes ici.",
                "Nommez-moi une communauté de communes (le Grand-Figeac, Cauvaldor…), je vous "
                "donnerai les siennes.",
            ]
        if fact == "population":
            return [
                f"Le {d.name} compte {_habitants(d.population.value)} en population "
                f"municipale {d.population.year} {self.cite(d.population.source)}."
            ]
        if fact == "area":
            return [
                f"Le {d.name} s'étend sur **{_number(d.area_km2.value)} km²** "
                f"{self.cite(d.area_km2.source)}."
            ]
        if fact == "epci":
            return self.department_epcis()
        if fact == "postal_code":
            return [
                self.department_codes("postal_code"),
                "Dites-moi quelle commune vous intéresse, je vous donnerai le sien.",
            ]
        if fact == "insee_code":
            return [
                self.department_codes("insee_code"),
                "Dites-moi quelle commune vous intéresse, je vous donnerai le sien.",
            ]
        if fact == "merger":
            return self.department_mergers()
        if fact == "referent":
            team = self.territory.default_team()
            return [
                "Chaque territoire du Lot a son équipe de référents accueil. À l'échelle du "
                f"département : **{team.name}** ({_lower_first(team.role)}).",
                "Dites-moi la commune qui vous intéresse, je vous indiquerai l'équipe qui la suit.",
            ]
        if fact == "location":
            return [
                f"Le **{d.name}** ({d.code}) est un département de la région "
                f"**{d.region.value}** ; sa préfecture est **{d.prefecture.value}** "
                f"{self.cite(d.region.source, d.prefecture.source)}."
            ]
        return [
            f"**Le {d.name} ({d.code})** en bref :",
            "",
            f"- Région : **{d.region.value}** {self.cite(d.region.source)}",
            f"- Préfecture : **{d.prefecture.value}** ; sous-préfectures : "
            f"{_join(_bold(d.subprefectures.value))} "
            f"{self.cite(d.prefecture.source, d.subprefectures.source)}",
            f"- **{_number(communes)} communes** {as_of} {self.cite(self.data.communes.source)}",
            f"- {_habitants(d.population.value)} en population municipale "
            f"{d.population.year} {self.cite(d.population.source)}",
            f"- Superficie : **{_number(d.area_km2.value)} km²** {self.cite(d.area_km2.source)}",
        ]

    def department_epcis(self) -> list[str]:
        counts: dict[str, int] = {}
        for commune in self.territory.communes():
            counts[commune.epci_siren] = counts.get(commune.epci_siren, 0) + 1
        names = self.territory.epcis()
        lines = [
            f"Les communes du {self.department.name} sont réparties entre "
            f"**{len(counts)} intercommunalités** {self.cite(self.data.epci.source)} :",
            "",
        ]
        for siren, count in sorted(counts.items(), key=lambda item: -item[1]):
            lines.append(f"- {_epci_label(names[siren])} ({count} commune{'s' * (count > 1)})")
        return lines

    def department_codes(self, fact: TerritoryFact) -> str:
        d = self.department
        communes = self.territory.communes()
        if fact == "postal_code":
            codes = [code for commune in communes for code in commune.postal_codes]
            shared = all(code.startswith(d.code) for code in codes)
            start = f" ; ils commencent tous par **{d.code}**" if shared else ""
            return (
                f"Chaque commune du {d.name} a son code postal{start} "
                f"{self.cite(self.data.postal_codes.source)}."
            )
        shared = all(commune.insee.startswith(d.code) for commune in communes)
        start = f", qui commence par **{d.code}**" if shared else ""
        return (
            f"Le code du département du {d.name} est **{d.code}** ; chaque commune a son "
            f"code INSEE{start} {self.cite(self.data.communes.source)}."
        )

    def department_mergers(self) -> list[str]:
        delegated = self.territory.delegated_communes()
        nouvelles = {former.commune_insee for former in delegated}
        return [
            f"Dans le {self.department.name}, **{len(nouvelles)} communes nouvelles** sont nées "
            f"de fusions ; elles comptent **{len(delegated)} communes déléguées**, les anciennes "
            f"communes {self.cite(self.data.communes.source)}.",
            "Donnez-moi le nom d'une ancienne commune, je vous dirai de quelle commune nouvelle "
            "elle fait partie.",
        ]

    # --- A commune -------------------------------------------------------------------------

    def role(self, commune: Commune) -> tuple[str, Source] | None:
        d = self.department
        if commune.name == d.prefecture.value:
            return f"la préfecture du {d.name}", d.prefecture.source
        if commune.name in d.subprefectures.value:
            return f"une sous-préfecture du {d.name}", d.subprefectures.source
        return None

    def intro(self, commune: Commune) -> str:
        role = self.role(commune)
        if role is None:
            return (
                f"**{commune.name}** est une commune du {self.department.name} "
                f"{self.cite(self.data.communes.source)}."
            )
        return f"**{commune.name}** est {role[0]} {self.cite(self.data.communes.source, role[1])}."

    def epci_sentence(self, commune: Commune, subject: str) -> str:
        return (
            f"{subject} fait partie de la **{_epci_label(commune.epci_name)}** "
            f"{self.cite(self.data.epci.source)}."
        )

    def population_sentence(self, commune: Commune) -> str:
        data = self.data.population
        return (
            f"**{commune.name}** compte {_habitants(commune.population)} en population "
            f"municipale {data.year} {self.cite(data.source)}."
        )

    def postal_sentence(self, commune: Commune) -> str:
        codes = _join(_bold(commune.postal_codes))
        source = self.cite(self.data.postal_codes.source)
        if len(commune.postal_codes) == 1:
            return f"Le code postal de **{commune.name}** est {codes} {source}."
        return f"**{commune.name}** a plusieurs codes postaux : {codes} {source}."

    def referent_sentence(self, commune: Commune) -> list[str]:
        team = self.territory.team_for_commune(commune.insee)
        return [
            f"Pour **{commune.name}**, l'équipe de référents accueil qui suit ce territoire "
            f"s'appelle **{team.name}** ({_lower_first(team.role)}).",
            "Si vous le souhaitez, je peux vous mettre en relation avec elle.",
        ]

    def location_sentence(self, commune: Commune) -> str:
        d = self.department
        role = self.role(commune)
        sources = [self.data.communes.source, d.region.source] + ([role[1]] if role else [])
        return (
            f"**{commune.name}** est bien une commune du {d.name} ({d.code}), en région "
            f"**{d.region.value}** {self.cite(*sources)}." + (f" C'est {role[0]}." if role else "")
        )

    def location_lines(self, commune: Commune) -> list[str]:
        lines = [self.location_sentence(commune), self.epci_sentence(commune, "Elle")]
        key = place_key(commune.name)
        for place in self.territory.outside_places():
            if place_key(place.name).startswith(key + " "):
                lines.append(
                    f"À ne pas confondre avec **{place.name}**, qui se trouve dans un "
                    f"autre département : {place.departement} ({place.departement_code})."
                )
        return lines

    def card_lines(self, commune: Commune) -> list[str]:
        team = self.territory.team_for_commune(commune.insee)
        data = self.data
        label = "Code postal" if len(commune.postal_codes) == 1 else "Codes postaux"
        return [
            self.intro(commune),
            "",
            f"- Intercommunalité : **{_epci_label(commune.epci_name)}** "
            f"{self.cite(data.epci.source)}",
            f"- {label} : {_join(_bold(commune.postal_codes))} "
            f"{self.cite(data.postal_codes.source)}",
            f"- Population : {_habitants(commune.population)} en population municipale "
            f"{data.population.year} {self.cite(data.population.source)}",
            f"- Référents accueil : **{team.name}** ({_lower_first(team.role)})",
        ]

    def merger_lines(self, commune: Commune) -> list[str]:
        formers = sorted(
            (
                d.name
                for d in self.territory.delegated_communes()
                if d.commune_insee == commune.insee
            ),
        )
        source = self.cite(self.data.communes.source)
        if not formers:
            return [
                f"**{commune.name}** ne compte aucune commune déléguée : aucune ancienne "
                f"commune ne lui a été rattachée {source}."
            ]
        return [
            f"**{commune.name}** est une commune nouvelle : elle regroupe les anciennes "
            f"communes {_join(_bold(formers))}, aujourd'hui communes déléguées {source}."
        ]

    def commune_lines(self, commune: Commune, fact: TerritoryFact) -> list[str]:
        if fact == "population":
            return [self.population_sentence(commune)]
        if fact == "postal_code":
            return [self.postal_sentence(commune)]
        if fact == "epci":
            return [self.epci_sentence(commune, f"**{commune.name}**")]
        if fact == "insee_code":
            lines = [
                f"Le code INSEE de **{commune.name}** est **{commune.insee}** "
                f"{self.cite(self.data.communes.source)}."
            ]
            if commune.insee not in commune.postal_codes:
                lines.append(
                    f"Attention, ce n'est pas son code postal, qui est "
                    f"{_join(_bold(commune.postal_codes))}."
                )
            return lines
        if fact == "merger":
            return self.merger_lines(commune)
        if fact == "referent":
            return self.referent_sentence(commune)
        if fact == "location":
            return self.location_lines(commune)
        if fact == "area":
            return [
                f"Je n'ai pas de superficie sourcée pour chaque commune, seulement pour le "
                f"département : {_lower_first(self.department_lines('area')[0])}"
            ]
        if fact in _DEPARTMENT_FACTS:
            return [self.location_sentence(commune), *self.department_lines(fact)]
        return self.card_lines(commune)

    def commune_answer(self, commune: Commune, fact: TerritoryFact | None) -> TerritoryAnswer:
        chosen: TerritoryFact = fact or "card"
        return self.result("commune", chosen, self.commune_lines(commune, chosen), commune)

    def delegated_answer(
        self, former: str, commune: Commune, fact: TerritoryFact | None
    ) -> TerritoryAnswer:
        chosen: TerritoryFact = fact or "card"
        intro = (
            f"**{former}** est une ancienne commune : depuis la fusion, elle fait partie de la "
            f"commune nouvelle **{commune.name}**, dont elle est une commune déléguée "
            f"{self.cite(self.data.communes.source)}."
        )
        detail: TerritoryFact = "card" if chosen == "merger" else chosen
        lines = self.commune_lines(commune, detail)
        if detail == "card":
            lines = [f"Voici l'essentiel sur **{commune.name}** :", *lines[1:]]
        return self.result("delegated", chosen, [intro, "", *lines], commune)

    def shared_postal_code(self, code: str, communes: list[Commune]) -> TerritoryAnswer:
        shown = [f"**{commune.name}**" for commune in communes[:_MAX_LISTED]]
        if len(communes) > _MAX_LISTED:
            shown.append(f"{len(communes) - _MAX_LISTED} autres")
        text = (
            f"Le code postal **{code}** est partagé par {len(communes)} communes du "
            f"{self.department.name} : {_join(shown)} "
            f"{self.cite(self.data.postal_codes.source)}."
        )
        return self.result("commune", "postal_code", [text], communes[0])

    # --- A communauté, or an area over several ------------------------------------------

    def epci_answer(
        self,
        siren: str,
        fact: TerritoryFact | None,
        *,
        area: Area | None = None,
        member: Commune | None = None,
    ) -> TerritoryAnswer:
        """A fact of a communauté, named (`area`: the name used) or as the communauté of the
        `member` commune in view, which then stays the answer's commune."""
        epci = self.territory.epci(siren)
        communes = self.territory.epci_communes(siren)
        assert epci is not None
        label = f"**{_epci_label(epci.name)}**"
        lines: list[str] = []
        if member is not None:
            lines.append(self.epci_sentence(member, f"**{member.name}**"))
        elif area is not None and area.name != epci.name:
            lines.append(f"Par « {area.name} », j'entends la {label}.")
        subject = "Elle" if lines else f"La {label}"
        chosen: TerritoryFact = fact if fact in _EPCI_FACTS or fact == "referent" else "card"
        if chosen == "commune_count":
            lines.append(self.epci_count(epci, communes, subject))
        elif chosen == "population":
            lines.append(self.epci_population(epci, communes, subject))
        elif chosen == "commune_list":
            lines += self.epci_list(epci, communes, subject)
        elif chosen == "referent":
            team = self.territory.team_for_commune(communes[0].insee)
            lines += [
                f"Pour la {label}, l'équipe de référents accueil s'appelle **{team.name}** "
                f"({_lower_first(team.role)}).",
                "Si vous le souhaitez, je peux vous mettre en relation avec elle.",
            ]
        else:
            lines += [
                self.epci_count(epci, communes, subject),
                self.epci_population(epci, communes, "Elle"),
                f"Sa commune la plus peuplée est **{communes[0].name}** : sauf si vous m'en "
                "nommez une autre, c'est d'elle que je vous parlerai ensuite.",
            ]
        if epci.outside_lot:
            lines.append(
                "Elle s'étend aussi sur un autre département, dont je n'ai pas les communes : "
                "ces chiffres ne portent que sur celles du Lot."
            )
        return self.result("epci", chosen, lines, member or communes[0], area)

    def lot_part(self, epci: Epci) -> str:
        """ " du Lot" after a count of a communauté that reaches into another département."""
        return f" du {self.department.name}" if epci.outside_lot else ""

    def epci_count(self, epci: Epci, communes: list[Commune], subject: str) -> str:
        where = self.lot_part(epci)
        return (
            f"{subject} regroupe **{_communes(len(communes))}**{where} en {self.data.epci.year} "
            f"{self.cite(self.data.epci.source)}."
        )

    def epci_population(self, epci: Epci, communes: list[Commune], subject: str) -> str:
        where = self.lot_part(epci)
        data = self.data.population
        total = sum(commune.population for commune in communes)
        return (
            f"{subject} compte {_habitants(total)} : c'est la somme des populations municipales "
            f"{data.year} de ses {_communes(len(communes))}{where} "
            f"{self.cite(data.source, self.data.epci.source)}."
        )

    def epci_list(self, epci: Epci, communes: list[Commune], subject: str) -> list[str]:
        if len(communes) <= _MAX_MEMBERS_LISTED:
            names = sorted((commune.name for commune in communes), key=place_key)
            where = self.lot_part(epci)
            return [
                f"{subject} regroupe ces {_communes(len(communes))}{where} en "
                f"{self.data.epci.year} {self.cite(self.data.epci.source)} : "
                f"{_join(_bold(names))}."
            ]
        largest = communes[:_LARGEST_MEMBERS]
        data = self.data.population
        shown = [f"**{c.name}** ({_number(c.population)})" for c in largest]
        return [
            self.epci_count(epci, communes, subject),
            f"Les {len(largest)} plus peuplées, en habitants (population municipale {data.year}), "
            f"sont {_join(shown)} {self.cite(data.source)}.",
            "Donnez-moi le nom d'une autre commune, je vous dirai de quelle communauté elle fait "
            "partie.",
        ]

    def area_answer(self, area: Area, fact: TerritoryFact | None) -> TerritoryAnswer:
        """An area over several communautés, or part of one: which, and no guessed place."""
        name = f"« {_upper_first(area.name)} »"
        labels = [f"la **{_epci_label(epci.name)}**" for epci in area.epcis]
        if len(labels) > 1:
            lines = [f"{name} s'étend sur plusieurs communautés de communes : {_join(labels)}."]
        elif labels:
            lines = [
                f"Dans le {self.department.name}, « {area.name} » correspond à une partie "
                f"seulement de {labels[0]}."
            ]
        else:
            lines = [
                f"{name} couvre une grande partie du {self.department.name}, sur plusieurs "
                "communautés de communes."
            ]
        if fact in _EPCI_FACTS:
            lines.append(
                "Ce n'est ni une commune ni une communauté de communes : je n'ai ni chiffre ni "
                "liste de communes propres à ce secteur."
            )
        lines.append(
            "Dites-moi la commune ou la communauté de communes qui vous intéresse, je vous en "
            "dirai plus."
        )
        return self.result("area", fact or "card", lines, area=area)

    # --- Elsewhere, or unknown -------------------------------------------------------------

    def outside_answer(self, resolution: Resolution, fact: TerritoryFact | None) -> TerritoryAnswer:
        d = self.department
        place = resolution.outside
        if place is None:
            lines = [
                f"Le code postal **{resolution.query}** n'est pas un code du {d.name} : ceux "
                f"du {d.name} commencent par {d.code} {self.cite(self.data.postal_codes.source)}."
            ]
        else:
            lines = [
                f"**{place.name}** n'est pas dans le {d.name} : cette commune se trouve dans un "
                f"autre département, **{place.departement} ({place.departement_code})**.",
            ]
            key = place_key(place.name)
            for commune in self.territory.communes():
                if key.startswith(place_key(commune.name) + " "):
                    lines.append(
                        f"Vous pensiez peut-être à **{commune.name}**, qui est, elle, "
                        f"une commune du {d.name} {self.cite(self.data.communes.source)}."
                    )
        lines.append(f"Je peux vous renseigner sur les communes du {d.name}.")
        return self.result("outside", fact or "location", lines)

    def other_department_answer(
        self, place: OutsidePlace, fact: TerritoryFact | None
    ) -> TerritoryAnswer:
        d = self.department
        lines = [
            f"Ce département, **{place.departement} ({place.departement_code})**, n'est pas le "
            f"{d.name} : je ne connais bien que le {d.name}.",
            f"Je peux vous renseigner sur le {d.name} et ses communes.",
        ]
        return self.result("outside", fact or "location", lines)

    def unknown_answer(self, name: str, fact: TerritoryFact | None) -> TerritoryAnswer:
        alternatives = self.territory.resolve(name).alternatives
        lines = [
            f"Je ne trouve pas « {name} » parmi les communes du {self.department.name} "
            f"{self.cite(self.data.communes.source)}.",
        ]
        if alternatives:
            names = [f"**{commune.name}**" for commune in alternatives]
            lines.append(f"Vouliez-vous dire {_join(names).replace(' et ', ' ou ')} ?")
        else:
            lines.append("Vérifiez l'orthographe, ou donnez-moi son code postal.")
        return self.result("unknown", fact or "card", lines)

    def about(self, resolution: Resolution, fact: TerritoryFact | None) -> TerritoryAnswer:
        if resolution.status == "outside_lot":
            return self.outside_answer(resolution, fact)
        area = resolution.area
        if area is not None and area.communaute:
            return self.epci_answer(area.epcis[0].siren, fact, area=area)
        if area is not None:
            return self.area_answer(area, fact)
        commune = resolution.commune
        assert commune is not None
        if resolution.via == "postal_code":
            sharing = sorted(
                (c for c in self.territory.communes() if resolution.query in c.postal_codes),
                key=lambda c: -c.population,
            )
            if len(sharing) > 1:
                return self.shared_postal_code(resolution.query, sharing)
        if resolution.delegated_name is not None:
            return self.delegated_answer(resolution.delegated_name, commune, fact)
        return self.commune_answer(commune, fact)


# "le nord du Lot", "le nord-est": words after a compass point that make it a direction.
_DIRECTION_AFTER = ("du", "de", "des", "est", "ouest")


def _other_department(territory: Territory, keys: list[str]) -> OutsidePlace | None:
    """A place of hors_lot.yml whose département is named in the question ("la Corrèze"),
    not as a river ("la vallée de la Dordogne") nor as a direction ("le nord du Lot": the
    département Nord)."""
    text = f" {' '.join(keys)} "
    for place in territory.outside_places():
        name = place_key(place.departement)
        if f" {name} " not in text or f" vallee de la {name} " in text:
            continue
        if any(f" {name} {after} " in text for after in _DIRECTION_AFTER):
            continue
        return place
    return None


def _uses_hint(fact: TerritoryFact | None, keys: list[str]) -> bool:
    """Whether a question that names no place is about the visitor's commune."""
    if fact in _DEPARTMENT_FACTS or fact == "area":
        return False
    return fact == "location" or not any(key in _DEPARTMENT_WORDS for key in keys)


def answer(
    territory: Territory,
    question: str,
    commune_hint: str | None = None,
    previous: str | None = None,
) -> TerritoryAnswer:
    """The answer to a question about the territory. The place is the one the question names,
    else the commune of the conversation (`commune_hint`, INSEE code or name), else the
    département. A question that names a place and nothing else asks the fact the visitor's
    `previous` message asked ("et celui de Souillac ?" after Saint-Céré's postcode)."""
    name_words = _gazetteer(territory).name_words
    words = _words(question, name_words)
    found = _answer(territory, question, words, commune_hint, previous)
    # "la région est-elle bien pour la pêche ?" mentions the région, it does not ask which.
    says_more = any(not _is_stop(w.key) and w.key not in name_words for w in words)
    return found.model_copy(update={"says_more": says_more})


def _answer(
    territory: Territory,
    question: str,
    words: list[_Word],
    commune_hint: str | None,
    previous: str | None,
) -> TerritoryAnswer:
    composer = _Composer(territory, question)
    place = _find_place(territory, question, words)
    if place is not None:
        rest = [w.key for i, w in enumerate(words) if not place.first <= i <= place.last]
        resolution = place.resolution
        # "la communauté de communes du Grand Figeac": the words name the place, ask nothing.
        fact = detect_fact(rest, _EPCI_CUE if resolution.area else frozenset())
        if fact is None and previous and all(_is_stop(key) for key in rest):
            fact = asked_fact(territory, previous)
        communaute_fact = _communaute_fact(fact, rest)
        if communaute_fact and resolution.area is None and resolution.commune is not None:
            commune = resolution.commune
            return composer.epci_answer(commune.epci_siren, communaute_fact, member=commune)
        if fact in _COUNTS and resolution.area is None:
            # "cauvaldor c'est quelles communes ? on regarde vers vayrac": a commune has no
            # communes of its own; the communauté named beside it is the one asked about.
            others = [w for i, w in enumerate(words) if not place.first <= i <= place.last]
            beside = _find_place(territory, question, others)
            if beside and beside.resolution.area and beside.resolution.area.communaute:
                return composer.about(beside.resolution, fact)
        found = composer.about(resolution, fact)
        second = _second_commune(territory, question, words, place) if fact in _EACH else None
        if second is None:
            return found
        # "Souillac et Martel ont-ils le même code postal ?": the fact of each.
        also = composer.commune_answer(second, fact)
        return found.model_copy(
            update={"text": f"{found.text}\n\n{also.text}", "sources": composer.sources}
        )
    keys = [word.key for word in words]
    fact = detect_fact(keys)
    # "la préfecture de la Corrèze": another département, never answered with the Lot's facts.
    other = _other_department(territory, keys)
    if other is not None and fact in _DEPARTMENT_FACTS and not _LOT_NAMES.isdisjoint(keys):
        # "le Lot c'est Occitanie ou Nouvelle-Aquitaine ? je confonds avec la Dordogne": the
        # Lot's fact is asked; the other département is only told apart.
        return composer.department_answer(fact, told_apart=other)
    if other is not None:
        return composer.other_department_answer(other, fact)
    # "au total dans le département": with the département named, no unknown town is asked.
    about_department = any(key in _DEPARTMENT_WORDS for key in keys)
    unknown = None if about_department else _unknown_place(territory, question, words)
    if unknown is not None:
        return composer.unknown_answer(unknown, fact)
    hint = territory.lookup(commune_hint).commune if commune_hint else None
    communaute_fact = _communaute_fact(fact, keys)
    if communaute_fact and hint is not None:
        # "combien d'habitants dans toute la communauté de communes ?"
        return composer.epci_answer(hint.epci_siren, communaute_fact, member=hint)
    if fact in _EPCI_FACTS and previous:
        # "il y a combien de communes dedans ?" after "Figeac, c'est quelle interco ?"
        siren = _previous_communaute(territory, previous, fact, hint)
        if siren is not None:
            return composer.epci_answer(siren, fact, member=hint)
    if hint is not None and _uses_hint(fact, keys):
        resolution = territory.lookup(commune_hint or "")
        return composer.about(resolution, fact)
    return composer.department_answer(fact)


_EPCI_CUE: frozenset[TerritoryFact] = frozenset({"epci"})
# Facts of a commune asked of two at once ("Souillac et Martel ont-ils le même code postal ?").
_EACH: frozenset[TerritoryFact] = frozenset({"population", "epci", "postal_code", "insee_code"})


def _second_commune(
    territory: Territory, question: str, words: list[_Word], first: _Place
) -> Commune | None:
    """Another commune of the Lot the question names beside the first one, if any."""
    if first.resolution.commune is None:
        return None
    others = [w for i, w in enumerate(words) if not first.first <= i <= first.last]
    second = _find_place(territory, question, others)
    if second is None or second.resolution.area is not None:
        return None
    commune = second.resolution.commune
    return None if commune is None or commune == first.resolution.commune else commune


def _communaute_fact(fact: TerritoryFact | None, keys: list[str]) -> TerritoryFact | None:
    """The fact of a communauté a question asks with "la communauté", "l'interco"…
    ("combien d'habitants dans la communauté de communes ?"), if any."""
    if fact != "epci":
        return None
    second = detect_fact(keys, _EPCI_CUE)
    return second if second in _EPCI_FACTS else None


def _previous_communaute(
    territory: Territory, previous: str, fact: TerritoryFact, hint: Commune | None
) -> str | None:
    """The SIREN of the communauté the visitor's message before was about: one it named
    ("c'est quoi Cauvaldor ?"), or, for its communes only (a commune has inhabitants, not
    communes), the communauté of the commune it asked about ("Figeac, c'est quelle
    interco ?")."""
    words = _words(previous, _gazetteer(territory).name_words)
    place = _find_place(territory, previous, words)
    area = place.resolution.area if place is not None else None
    if area is not None:
        return area.epcis[0].siren if area.communaute else None
    if fact == "population":
        return None
    keys = [
        w.key for i, w in enumerate(words) if place is None or not place.first <= i <= place.last
    ]
    commune = place.resolution.commune if place is not None else hint
    if commune is None or detect_fact(keys) != "epci":
        return None
    return commune.epci_siren
