# Production image: python:3.11-slim, locked install, collectstatic, gunicorn, non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PORTAL_VAR_DIR=/var/lib/portail \
    STATIC_ROOT=/app/static \
    MEDIA_ROOT=/var/lib/portail/media \
    PORT=8000

WORKDIR /app
RUN groupadd --system portail && useradd --system --gid portail --home-dir /app portail

COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes --no-deps -r requirements/base.txt

COPY . .
# collectstatic needs the production settings to import, not real secrets.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.db \
    PORTAL_BASE_URL=http://localhost \
    python manage.py collectstatic --noinput \
 && mkdir -p /var/lib/portail/media && chown -R portail:portail /var/lib/portail

VOLUME ["/var/lib/portail"]
USER portail
EXPOSE 8000
ENTRYPOINT ["sh", "/app/docker/entrypoint.sh"]
