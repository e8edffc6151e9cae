"""Rasa's SpacyNLP with only the spaCy components the pipeline reads.

Rasa 3.6's SpacyNLP loads `fr_core_news_md` with only the parser disabled, so spaCy's
named-entity recogniser runs on every visitor message. Nothing reads its output
(`doc.ents`): the CRFEntityExtractor finds the entities, and the SpacyTokenizer,
RegexFeaturizer, CRF and intent classifier read tokens, lemmas, part-of-speech tags,
stop words and word vectors, which the NER does not touch. The NER has a tok2vec network
of its own, as large as the shared one, so it costs as much as the rest of the model:
over 400 NLU examples (interleaved runs on 2 shared cores) spaCy took 4.4 ms a message
with it and 2.2 ms without, with identical tokens, lemmas, tags and vectors; a whole
parse went from 14.2 to 11.6 ms (median), and the 7,857 held-out messages and NLU
examples parse exactly as before (intents, confidences, entities).

This component removes the NER from the loaded model, and with it the parser and the
sentence recogniser, which Rasa and the model already disable (like the API's
knowledge index, api/knowledge/index.py). The model is loaded by Rasa's own code first,
which keeps its checks and error messages.

It also loads the model once per process. Rasa's recipe makes two graph nodes of the
component, one that provides the model and one that runs it on messages (given the
provided model), and each node's instance loaded its own copy in `create`: the second,
never used, held about 330 MB in every Rasa process. Both now share one copy, which
nothing modifies.

The Rasa recipe passes the loaded model to the component registered as its
`model_from`, by class name: hence this class's own name there. Components that require
SpacyNLP accept this subclass (Rasa checks them with `issubclass`).
"""

from __future__ import annotations

from functools import cache

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

# spaCy components of fr_core_news_md that no component of config.yml reads.
UNUSED_COMPONENTS = ("ner", "parser", "senter")


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="SpacyNLPWithoutNER",
)
class SpacyNLPWithoutNER(SpacyNLP):
    @staticmethod
    def load_model(spacy_model_name: str) -> SpacyModel:
        return _load_model(spacy_model_name)


@cache
def _load_model(spacy_model_name: str) -> SpacyModel:
    loaded = SpacyNLP.load_model(spacy_model_name)
    for name in UNUSED_COMPONENTS:
        if name in loaded.model.component_names:
            loaded.model.remove_pipe(name)
    return loaded
