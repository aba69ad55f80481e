"""The CI check of a running `make prod-local`: health page, a DIHAL sign-in over HTTP
(password, TOTP code), a campaign zip requested (re-authentication included), built by the
task worker and downloaded, and a submission's PDF produced by the gunicorn process.

    python -m bench.load.check_prod_local --base-url http://127.0.0.1:8050 \
        --accounts var/prod-local/accounts.json

Exits 1 with a French message on the first failure; every step is bounded in time.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
import zipfile
from pathlib import Path

import requests

from bench.load.portal_client import (
    ACCOUNTS_PASSWORD,
    Account,
    PortalClient,
    PortalError,
    TotpSlots,
)

HEALTH_PATH = "/healthz"
EXPORT_FORM = re.compile(r'action="/suivi/campagnes/(\d+)/documents/"')
CAMPAIGN_LINK = re.compile(r'href="/suivi/campagnes/(\d+)/"')
ANSWER_LINK = re.compile(r'href="/reponses/(\d+)/"')


def step(text: str) -> None:
    print(f"-- {text}", flush=True)


def first_exportable_campaign(client: PortalClient) -> tuple[int, str]:
    """A campaign whose tracker offers the zip and lists answers; its pk and tracker page."""
    listing = client.get("/suivi/campagnes/")
    for pk in dict.fromkeys(CAMPAIGN_LINK.findall(listing.text)):
        tracker = client.get(f"/suivi/campagnes/{pk}/")
        if EXPORT_FORM.search(tracker.text) and ANSWER_LINK.search(tracker.text):
            return int(pk), tracker.text
    raise PortalError("Aucune campagne du suivi ne propose l'export des documents.")


def export_wait(client: PortalClient, *, export_path: str, deadline_s: float) -> None:
    """Polls the export's progress until it is done; raises if it fails or takes too long."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        progress = client.get(f"{export_path}etat/").json()
        if progress["status"] == "terminee":
            return
        if progress["status"] == "echouee":
            raise PortalError(f"L'export {export_path} a échoué (voir le journal du worker).")
        time.sleep(1)
    raise PortalError(
        f"L'export {export_path} n'est pas terminé après {deadline_s:.0f} s : "
        "le worker de tâches tourne-t-il ?"
    )


def zip_check(content: bytes) -> int:
    """The number of Word documents in the zip; raises unless it holds only .docx files."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise PortalError("Le fichier téléchargé n'est pas un zip.") from None
    names = [name for name in archive.namelist() if not name.endswith("/")]
    if not names or any(not name.endswith(".docx") for name in names):
        raise PortalError(f"Le zip devrait contenir des .docx seulement : {names[:5]}")
    for name in names:
        if not archive.read(name).startswith(b"PK"):
            raise PortalError(f"{name} n'est pas un document Word (docx).")
    return len(names)


def run(*, base_url: str, account: Account, export_timeout: float, skip_pdf: bool) -> None:
    client = PortalClient(requests.Session(), base_url=base_url, client_ip="10.1.0.1")
    step(f"santé : {HEALTH_PATH}")
    client.get(HEALTH_PATH)
    step(f"connexion de {account.email} (mot de passe puis code TOTP)")
    client.sign_in(account, slots=TotpSlots())
    campaign_pk, tracker_html = first_exportable_campaign(client)
    step(f"zip des documents de la campagne {campaign_pk} (avec réauthentification)")
    started = client.post_sensitive(
        f"/suivi/campagnes/{campaign_pk}/documents/",
        page_html=tracker_html,
        account=account,
        name="export",
    )
    export_path = re.sub(r"^https?://[^/]+", "", started.url)
    if not re.fullmatch(r"/exports/\d+/", export_path):
        raise PortalError(f"La demande d'export mène à {export_path}, pas à sa page.")
    export_wait(client, export_path=export_path, deadline_s=export_timeout)
    documents = zip_check(client.get(f"{export_path}telecharger/").content)
    step(f"zip fabriqué par le worker : {documents} document(s) Word")
    if skip_pdf:
        print("ATTENTION : PDF non vérifié (CHECK_PROD_LOCAL_SKIP_PDF=1).")
        return
    answer_pk = ANSWER_LINK.search(tracker_html).group(1)
    step(f"PDF de la réponse {answer_pk} (LibreOffice dans le processus gunicorn)")
    try:
        pdf = client.get(f"/reponses/{answer_pk}/pdf/", timeout=120)
    except PortalError as error:
        raise PortalError(f"{error} — LibreOffice (soffice) est-il installé ?") from None
    if not pdf.content.startswith(b"%PDF"):
        raise PortalError(f"/reponses/{answer_pk}/pdf/ n'a pas rendu un PDF.")
    step(f"PDF produit : {len(pdf.content)} octets")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--accounts", type=Path, required=True)
    parser.add_argument("--export-timeout", type=float, default=180)
    parser.add_argument("--skip-pdf", action="store_true")
    arguments = parser.parse_args()
    dihal = json.loads(arguments.accounts.read_text(encoding="utf-8"))["dihal"][0]
    account = Account(dihal["email"], ACCOUNTS_PASSWORD, dihal["totp_secret"])
    try:
        run(
            base_url=arguments.base_url,
            account=account,
            export_timeout=arguments.export_timeout,
            skip_pdf=arguments.skip_pdf,
        )
    except (PortalError, requests.RequestException) as error:
        print(f"ÉCHEC du contrôle de prod-local : {error}", file=sys.stderr)
        return 1
    print("Contrôle de prod-local réussi.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
