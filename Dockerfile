# Production image: python:3.11-slim (Debian 12, pinned so that the apt names below hold),
# LibreOffice for the PDF copies, fonts for French documents, locked install, collectstatic
# (compressed, hashed), non-root user. One image for every role: docker/entrypoint.sh web
# (default), worker, migrate (docker-compose.yml, docs/deploy.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PORTAL_VAR_DIR=/var/lib/portail \
    STATIC_ROOT=/app/static \
    MEDIA_ROOT=/var/lib/portail/media \
    HOME=/home/portail \
    PORT=8000

# LibreOffice's Writer without its desktop (documents.rendering.pdf finds `soffice` on the
# PATH: /usr/bin/soffice), no recommended extras (Java, help, desktop integration).
# Fonts: Marianne, the State's typeface, is not free to redistribute. The DSFR's own
# fallback stack is "Marianne, arial, sans-serif": Liberation Sans (fonts-liberation2) is
# metric-compatible with Arial, so a Word template set in Arial or Marianne keeps its line
# and page breaks in the PDF; DejaVu (fonts-dejavu-core) covers what Liberation lacks
# (arrows, symbols, wide Unicode). docker/fonts/60-marianne-fallback.conf makes a document
# asking for Marianne get Liberation Sans (fontconfig's default would be DejaVu Sans, wider:
# other line breaks). fc-cache builds the font cache once, at build time.
# postgresql-client: pg_dump/pg_restore for manage.py backup_portal / restore_portal
# (version 15 on Debian 12: the server must not be newer, docker-compose.yml runs 15).
COPY docker/fonts/60-marianne-fallback.conf /etc/fonts/conf.d/60-marianne-fallback.conf
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libreoffice-writer-nogui \
      fonts-liberation2 \
      fonts-dejavu-core \
      fontconfig \
      postgresql-client \
 && fc-cache -f \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/* /usr/share/doc/* /usr/share/man/*

WORKDIR /app
# HOME is writable by the portal's user, for the tools that write a dotfile there. LibreOffice
# does not need it: each conversion has a temporary profile (pdf.py; checked with a HOME
# that does not exist), and fc-cache above wrote the system font cache.
RUN groupadd --system portail \
 && useradd --system --gid portail --home-dir /home/portail --create-home portail

COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes --no-deps -r requirements/base.txt

COPY . .
# collectstatic needs the production settings to import, not real secrets. Each file is
# written hashed (served with a year-long "immutable" cache header by whitenoise) and
# compressed beside it (.gz; .br too when the brotli package is installed: today it comes
# only with the test requirements, so the image serves gzip until base.txt locks brotli).
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.db \
    PORTAL_BASE_URL=http://localhost \
    python manage.py collectstatic --noinput \
 && rm -f /tmp/build.db \
 && mkdir -p /var/lib/portail/media && chown -R portail:portail /var/lib/portail

VOLUME ["/var/lib/portail"]
USER portail
EXPOSE 8000
ENTRYPOINT ["sh", "/app/docker/entrypoint.sh"]
CMD ["web"]
