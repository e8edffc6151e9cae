# Action server of the assistant: the upstream rasa-sdk image plus the actions' own
# dependencies. Build from the repository root: docker build -f deploy/actions.Dockerfile .
FROM rasa/rasa-sdk:3.6.2

USER root
# The same pins as requirements/bot.txt (pydantic 1: the settings, as Rasa pins it).
RUN pip install --no-cache-dir httpx==0.28.1 tenacity==9.0.0 pydantic==1.10.9

WORKDIR /app
COPY bot/__init__.py bot/gc_freeze.py bot/
COPY bot/actions bot/actions
COPY contract contract
# rasa-sdk's plugin package: starts and stops the outbox worker with the server.
COPY rasa_sdk_plugins rasa_sdk_plugins
# One BLAS/OpenMP thread per process (scripts/stack.py says why).
ENV PYTHONPATH=/app ACTIONS_OUTBOX_DIR=/app/var/outbox OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
RUN mkdir -p /app/var/outbox && chown -R 1001 /app/var

USER 1001
EXPOSE 5055
CMD ["start", "--actions", "bot.actions", "--port", "5055"]
