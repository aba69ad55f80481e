"""Settings shared by every environment. Environment-specific files import from here."""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from portal.env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", "")
DEBUG = env.bool("DEBUG", False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal",
    "home",
    "forms_app",
    "documents",
    # Wagtail
    "wagtail.contrib.redirects",
    "wagtailstreamforms",
    "wagtail_modeladmin",
    "generic_chooser",
    "wagtail.contrib.table_block",
    "wagtail.sites",
    "portal.apps.PortalUsersAppConfig",  # wagtail.users, with the portal's user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # State design system
    "dsfr",
    "widget_tweaks",
    "csp",
    # Background tasks: the API, and the database backend that production's worker reads
    "django_tasks",
    "django_tasks_db",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
]

MIDDLEWARE = [
    # The request id and one log line per request (JSON in production): first, so that
    # every line of the request carries the id.
    "portal.request_log.RequestLogMiddleware",
    # Keeps the end of each POST body: a save whose body was cut changes nothing.
    "forms_app.complete_body.BodyTailMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.InputNormalisationMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "portal.middleware.PortalCSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.SessionActivityMiddleware",  # allauth.usersessions' tracking, cheaper
    "portal.middleware.MfaEnrolmentMiddleware",
    "portal.middleware.CmsAdminAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: the embedded default is a SQLite file under var/; DATABASE_URL switches to
# PostgreSQL (or anything dj-database-url reads).
DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Simultaneous clicks on the embedded default wait their turn instead of failing with
    # « database is locked »: WAL lets reads go on beside the one writer; every atomic
    # block takes the write lock when it begins (IMMEDIATE), so two transactions never
    # both read and then both try to upgrade (which SQLite answers at once with an error,
    # whatever the timeout); a writer waits up to 20 s for the lock. PostgreSQL keeps its
    # row-level locking.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
# Third-party apps without their own default (wagtailstreamforms) keep AutoField; the
# portal's apps set BigAutoField in their AppConfig.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id first (portal.hashers: why these parameters); the PBKDF2 hashers after it only
# verify the passwords stored before, each rewritten as Argon2 at its owner's next sign-in.
PASSWORD_HASHERS = [
    "portal.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
# wagtailstreamforms ships no French catalogue: locale/fr translates its admin.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Zips of a campaign's documents (STORAGES["exports"]): built in a local temporary file,
# saved to the storage only once complete.
PORTAL_EXPORTS_DIR = Path(env.str("PORTAL_EXPORTS_DIR", str(VAR_DIR / "exports")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Answers' files: never under MEDIA_URL; forms_app serves them after a permission check.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": None},
    },
    # Zips of documents: never under a URL; documents.views streams them after a check.
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PORTAL_EXPORTS_DIR), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Browser features no page of the portal uses, switched off for every page and frame.
PORTAL_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
# Content-Security-Policy of the portal's pages (django-csp): no inline script, style or
# handler runs unless it carries the response's nonce (`request.csp_nonce`); scripts, styles,
# images and fonts come from the portal itself. Wagtail's admin gets PORTAL_CMS_ADMIN_CSP
# instead (portal.middleware.PortalCSPMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Wagtail 8's admin writes inline scripts and style attributes of its own (its editors,
# choosers and widgets), so a nonce-only policy would break it; it keeps what does not
# restrict them. Its page preview frames a page of the same origin, hence 'self' there.
PORTAL_CMS_ADMIN_CSP = {
    "frame-ancestors": [SELF],
    "form-action": [SELF],
    "base-uri": [SELF],
    "object-src": [NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Sessions: one hour of inactivity ends a session (as démarches-simplifiées does).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Accounts (django-allauth): e-mail login, no public sign-up, MFA available.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:mon_espace"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "portal.accounts.PortalAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
# The person who changes their password stays signed in; their other sessions end
# (portal.accounts.end_other_sessions), as they do when a second factor is added or removed.
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
# Failed sign-ins: 5 per account and source address in 5 minutes (allauth's default, one
# below démarches-simplifiées' lock after 6), and 30 per address whatever the accounts. The
# account key includes the address (portal.accounts), so a stranger who knows an e-mail cannot
# lock its owner out; a guesser spreading over many addresses still meets 5 per address.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/5m/ip,5/5m/key"}
# Behind a reverse proxy every request comes from the proxy's address, and the limits per
# address would count everyone as one person (allauth's 30 sign-ins a minute per address):
# PORTAL_TRUSTED_PROXY_COUNT says how many proxies append to X-Forwarded-For, and allauth
# takes the address the outermost one saw. 0 (the default) reads REMOTE_ADDR.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", 0)
MFA_ADAPTER = "portal.accounts.PortalMfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Portail équipes mobiles PEX"
# Who must enrol a second factor is decided in portal.permissions.must_enrol_mfa and enforced
# by portal.middleware.MfaEnrolmentMiddleware. Sensitive operations (bulk exports, templates,
# users and memberships) need a password or a code typed within the last 10 minutes.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 600
# Each person sees their sessions (/accounts/sessions/) and the address and time last seen.
USERSESSIONS_TRACK_ACTIVITY = True

# Wagtail
WAGTAIL_SITE_NAME = "Équipes mobiles de prévention des expulsions locatives"
# No avatar from gravatar.com: it would tell a third party who works here (security.md #20).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The portal's public address, for links in e-mails (sent outside any request).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", PORTAL_BASE_URL)
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Form builder (wagtailstreamforms): the portal's own field types and settings; its own
# submission processing and hooks are off, the portal keeps answers itself (security.md #2).
WAGTAILSTREAMFORMS_ADMIN_MENU_LABEL = "Formulaires"
WAGTAILSTREAMFORMS_ENABLE_FORM_PROCESSING = False
WAGTAILSTREAMFORMS_ENABLE_BUILTIN_HOOKS = False
WAGTAILSTREAMFORMS_ENABLED_FIELDS = ()
WAGTAILSTREAMFORMS_ADVANCED_SETTINGS_MODEL = "forms_app.FormSettings"
WAGTAILSTREAMFORMS_FORM_TEMPLATES = [("forms_app/answer_form.html", "Formulaire du portail")]
# The bare page the load test compares the portal's pages with (home.views.load_test_base):
# off unless a load-test run (docker/prod-local.sh) turns it on.
PORTAL_LOAD_TEST_VIEW = env.bool("PORTAL_LOAD_TEST_VIEW", False)
PORTAL_MAX_UPLOAD_BYTES = env.int("PORTAL_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

# Retention (issue 11; forms_app.retention). Household files are kept per form
# (FormSettings.retention_months, 24 months after closing by default). A draft nobody has
# touched for 6 months is abandoned: keeping what was typed serves no one. A zip of
# documents is made to be downloaded now: 32 hours covers a request made late one day and
# fetched the next working day, and no more copies of answers lie around. Operators hear of
# a household's deletion 14 days before it, time to reopen a case that is not over.
PORTAL_RETENTION_DRAFT_MONTHS = 6
PORTAL_RETENTION_EXPORT_HOURS = 32
PORTAL_RETENTION_NOTICE_DAYS = 14

# Background tasks (django-tasks): run inline unless a backend is configured.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    }
}

# The task worker (manage.py run_worker, portal.worker): it says it is alive every
# PORTAL_WORKER_HEARTBEAT_SECONDS; /healthz fails when the youngest beat is older than
# PORTAL_WORKER_HEARTBEAT_MAX_AGE. It enqueues the daily jobs (portal.schedule) once the
# local hour passes PORTAL_SCHEDULE_HOUR. A zip whose build has not moved for
# PORTAL_EXPORT_STALL_SECONDS lost its worker: shown as interrupted, it can be run again.
PORTAL_WORKER_HEARTBEAT_SECONDS = env.int("PORTAL_WORKER_HEARTBEAT_SECONDS", 10)
PORTAL_WORKER_HEARTBEAT_MAX_AGE = env.int("PORTAL_WORKER_HEARTBEAT_MAX_AGE", 60)
PORTAL_SCHEDULE_HOUR = env.int("PORTAL_SCHEDULE_HOUR", 6)
PORTAL_EXPORT_STALL_SECONDS = env.int("PORTAL_EXPORT_STALL_SECONDS", 300)

# Mail
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", "Portail équipes mobiles <ne-pas-repondre@dihal.gouv.fr>"
)

# State design system
DSFR_USE_INTEGRITY_CHECKSUMS = True

# Where the portal's content data lives (the framing document, the territories).
PORTAL_CONTENT_DIR = BASE_DIR / "home" / "content"
PORTAL_FORMS_FILE = BASE_DIR / "forms_app" / "content" / "forms.yaml"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Inline tasks and page events log every step at INFO; keep the console readable.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # One line per request (portal.request_log): production's; runserver has its own.
        "portal.request": {"level": "WARNING"},
    },
}

# Rendering of editors' templates (documents.rendering.isolation): every document is rendered in a
# worker process, never in the web process; a worker passing its limits is killed and
# replaced, and the person gets a French error.
PORTAL_RENDER_ISOLATED = env.bool("PORTAL_RENDER_ISOLATED", True)  # off only to debug
PORTAL_RENDER_CPU_SECONDS = env.int("PORTAL_RENDER_CPU_SECONDS", 15)  # CPU s per document
PORTAL_RENDER_MEMORY_BYTES = env.int("PORTAL_RENDER_MEMORY_BYTES", 1024 * 1024 * 1024)  # per worker
PORTAL_RENDER_WORKERS = env.int("PORTAL_RENDER_WORKERS", 2)  # long-lived workers per process
