"""An HTTP client of the portal as a person's browser behind the production proxy: CSRF
tokens read from the pages, sign-in with password then TOTP code, allauth's
re-authentication, and the headers the TLS proxy would add.

Shared by the CI check (docker/check-prod-local.sh, with a plain ``requests.Session``) and
the load test (locust's ``HttpSession``, a subclass: ``name`` groups its statistics). It
never imports locust, so that it can be imported before locust patches the standard library.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from requests.cookies import RequestsCookieJar

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
LOGIN_PATH = "/accounts/login/"
SECOND_FACTOR_PATH = "/accounts/2fa/authenticate/"
REAUTHENTICATE_MARK = "/reauthenticate/"
TOTP_PERIOD = 30
# Every account of the accounts file has demo.accounts.DEMO_PASSWORD (synthetic accounts of
# generated data; demo is not importable without Django's settings).
ACCOUNTS_PASSWORD = "portail-demo-2020"  # noqa: S105 - the published demo password
MAX_REDIRECTS = 10
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PortalError(RuntimeError):
    """The portal did not answer as a person would expect (message in French)."""


class LoopbackCookieJar(RequestsCookieJar):
    """Keeps the Secure cookies of 127.0.0.1 sendable over plain HTTP, as browsers treat
    localhost as a secure context: production's session and CSRF cookies are Secure, and
    TLS ends at the proxy. (A cookie policy would not do: requests copies the cookies into a
    jar of its own, with the default policy, for every request.)"""

    def set_cookie(self, cookie, *args, **kwargs):
        if cookie.domain.removesuffix(".local") in LOOPBACK_HOSTS:
            cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


def loopback_only(base_url: str) -> str:
    """``base_url`` without its trailing slash; refuses any host but this machine's."""
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise PortalError(
            f"Adresse refusée : {base_url} (le test de charge ne vise que http://127.0.0.1)."
        )
    return base_url.rstrip("/")


def totp_code(secret: str, counter: int) -> str:
    """The six-digit code of ``secret`` for the TOTP ``counter`` (RFC 6238, SHA-1)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class TotpSlots:
    """One sign-in per account and TOTP period: allauth refuses a code used twice (replay),
    so a second person on the same account waits for the next period. A code read in the
    last ``margin`` seconds of its period waits for the next one too, as a person does when
    the app's timer runs out: under load the POST could reach the server after the period
    ended, and allauth accepts the current period's code only."""

    def __init__(self, *, margin: float = 6) -> None:
        self.margin = margin
        self.last_counter: dict[str, int] = {}

    def next_code(self, *, email: str, secret: str) -> str:
        """A code not used yet for ``email``, sleeping until its period begins if needed."""
        now = time.time()
        usable = int(now + self.margin) // TOTP_PERIOD
        wanted = max(usable, self.last_counter.get(email, -1) + 1)
        self.last_counter[email] = wanted
        if wanted * TOTP_PERIOD > now:
            time.sleep(wanted * TOTP_PERIOD - now + 0.5)
        return totp_code(secret, wanted)


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    totp_secret: str


class PortalClient:
    """A person's browser on the portal, over ``session`` (requests or locust's session)."""

    def __init__(self, session, *, base_url: str, client_ip: str, timeout: float = 60) -> None:
        self.session = session
        self.base_url = loopback_only(base_url)
        self.timeout = timeout
        session.cookies = LoopbackCookieJar()
        origin = "https://" + urlsplit(self.base_url).netloc
        # What the TLS proxy adds in production; Origin satisfies the CSRF check of HTTPS.
        session.headers.update(
            {"X-Forwarded-Proto": "https", "X-Forwarded-For": client_ip, "Origin": origin}
        )

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        name: str | None = None,
        accept: frozenset[int] = frozenset(),
        **options,
    ):
        """One request and its redirects, each hop its own request (as a browser sends
        them). ``name`` groups locust's statistics; ``accept`` lists the error statuses
        that are an expected answer here (a stale save's 409), not a failure."""
        options.setdefault("timeout", self.timeout)
        url = self.url(path)
        for hop in range(MAX_REDIRECTS):
            response = self.send(method, url, name=name, hop=hop, accept=accept, **options)
            if response.status_code >= 400 and response.status_code not in accept:
                raise PortalError(f"{method} {path} : réponse {response.status_code}")
            if response.status_code not in REDIRECTS:
                if hop and urlsplit(url).path == LOGIN_PATH != urlsplit(self.url(path)).path:
                    raise PortalError(f"{method} {path} : renvoyé à la connexion (session perdue)")
                return response
            url = urljoin(response.url, response.headers["Location"])
            if not url.startswith(self.base_url + "/"):
                raise PortalError(f"{method} {path} : redirection hors du portail local ({url})")
            if response.status_code in {301, 302, 303}:
                method = "GET"
                options.pop("data", None)
        raise PortalError(f"{method} {path} : plus de {MAX_REDIRECTS} redirections")

    def send(self, method: str, url: str, *, name, hop: int, accept: frozenset[int], **options):
        """One HTTP request; under locust, named and judged (``accept`` counts as success)."""
        if not hasattr(self.session, "request_name"):  # plain requests
            return self.session.request(method, url, allow_redirects=False, **options)
        label = name if hop == 0 or name is None else f"{name} (redirection)"
        with self.session.request(
            method, url, name=label, allow_redirects=False, catch_response=True, **options
        ) as response:
            if response.status_code in accept or response.status_code < 400:
                response.success()
            else:
                response.failure(f"réponse {response.status_code}")
        return response

    def get(self, path: str, *, name: str | None = None, **options):
        return self.request("GET", path, name=name, **options)

    def post_form(self, path: str, data: dict, *, page_html: str, name: str | None = None):
        """Posts ``data`` with the CSRF token of the page ``page_html`` that holds the form."""
        return self.request("POST", path, name=name, data={**data, **csrf_field(page_html)})

    def sign_in(self, account: Account, *, slots: TotpSlots) -> None:
        """Password, then the TOTP code: ends on « Mon espace » or raises PortalError."""
        page = self.get(LOGIN_PATH, name="connexion (page)")
        after = self.post_form(
            LOGIN_PATH,
            {"login": account.email, "password": account.password},
            page_html=page.text,
            name="connexion (mot de passe)",
        )
        if urlsplit(after.url).path != SECOND_FACTOR_PATH:
            raise PortalError(f"Connexion de {account.email} : pas de demande de code.")
        code = slots.next_code(email=account.email, secret=account.totp_secret)
        done = self.post_form(
            SECOND_FACTOR_PATH, {"code": code}, page_html=after.text, name="connexion (code)"
        )
        if urlsplit(done.url).path == SECOND_FACTOR_PATH:
            raise PortalError(f"Connexion de {account.email} : code TOTP refusé.")

    def sign_out(self) -> None:
        page = self.get("/accounts/logout/", name="déconnexion (page)")
        self.post_form("/accounts/logout/", {}, page_html=page.text, name="déconnexion")

    def post_sensitive(self, path: str, *, page_html: str, account: Account, name: str):
        """Posts to a sensitive operation; types the password again when allauth asks for it
        (its re-authentication page), after which allauth replays the suspended POST."""
        response = self.post_form(path, {}, page_html=page_html, name=name)
        if REAUTHENTICATE_MARK in urlsplit(response.url).path:
            response = self.post_form(
                urlsplit(response.url).path + ("?" + urlsplit(response.url).query),
                {"password": account.password},
                page_html=response.text,
                name="réauthentification",
            )
        return response


def csrf_field(html: str) -> dict[str, str]:
    """The page's CSRF hidden field, as POST data."""
    match = CSRF_FIELD.search(html)
    if match is None:
        raise PortalError("Jeton CSRF absent de la page.")
    return {"csrfmiddlewaretoken": match.group(1)}
