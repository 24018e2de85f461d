# The image behind docker-compose.yml's web, worker and beat services.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Runtime requirements only: tests, linters and the sandbox (moto) are in requirements-test.txt and stay out.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files are served by WhiteNoise from STATIC_ROOT; collect them once, at build time. DEBUG only for
# this step: it needs no keys, and the running image refuses to start without real ones.
RUN DEBUG=true python manage.py collectstatic --no-input \
    && useradd --system --uid 10001 --home-dir /app patchbay \
    && mkdir -p /app/var/metrics \
    && chown -R patchbay /app/var

USER patchbay
EXPOSE 8000
# No gunicorn access log: Patchbay logs each request itself (JSON, with its request id, URL pattern
# rather than path, so invitation tokens in links never reach the logs).
CMD ["gunicorn", "controlplane.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
