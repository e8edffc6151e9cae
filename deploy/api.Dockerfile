# The API (FastAPI): knowledge, communes, handoff cases, referents' dashboard, website.
# Build from the repository root: docker build -f deploy/api.Dockerfile .
FROM python:3.12-slim

# One BLAS/OpenMP thread per worker: the knowledge search's matrix products took 12 ms
# instead of 1.6 ms with a second OpenBLAS thread spinning on a busy machine (scripts/stack.py).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app \
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
WORKDIR /app

COPY requirements/app.txt requirements/app.txt
# Every pin of the app env, spaCy's French model included (an ordinary package on PyPI).
RUN pip install --no-cache-dir -r requirements/app.txt

COPY alembic.ini ./
COPY api api
COPY contract contract
COPY knowledge knowledge

RUN useradd --system --uid 1001 lot
USER 1001
EXPOSE 8000
# Migrations first (Alembic, idempotent), then the workers.
CMD ["sh", "-c", "python -m api.cli migrate && exec uvicorn api.main:app --host 0.0.0.0 --port 8000 --workers \"${API_WORKERS:-2}\" --proxy-headers --forwarded-allow-ips '*' --no-access-log"]
