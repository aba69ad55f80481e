"""Django's global limits on a request's body, said in French.

``DATA_UPLOAD_MAX_MEMORY_SIZE`` (the size of a body, files aside),
``DATA_UPLOAD_MAX_NUMBER_FIELDS``, ``DATA_UPLOAD_MAX_NUMBER_FILES`` and a malformed multipart
body are refused by Django before any view runs (while the CSRF check reads the body), with
a bare English « Bad Request (400) ». ``bad_request`` is the portal's handler400: a French
page that names the limit hit, or a French JSON error for the page's automatic saving, whose
script shows it. Nothing of such a body is saved; the person's page keeps what was typed.
The limits a form can check (a file's size, type, content and name length) are checked by
``forms_app.validators`` and answered next to their field.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousFileOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape
from django.views.decorators.csrf import requires_csrf_token

KEPT = (
    "Rien n'a été enregistré. Revenez à la page précédente avec le bouton « Retour » de votre "
    "navigateur : vos saisies y sont encore."
)


def limit_message(exception) -> str:
    """What limit the request hit, in French (without what to do next)."""
    if isinstance(exception, RequestDataTooBig):
        return (
            "Votre envoi dépasse la taille maximale acceptée pour les textes d'un formulaire "
            f"({filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}, fichiers non compris) : "
            "raccourcissez les textes les plus longs, ou joignez-les en fichier."
        )
    if isinstance(exception, TooManyFieldsSent):
        return (
            "Votre envoi compte plus de champs que le maximum accepté "
            f"({settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} champs) : retirez des lignes vides "
            "des groupes répétables, ou enregistrez en plusieurs fois."
        )
    if isinstance(exception, TooManyFilesSent):
        return (
            "Votre envoi compte plus de fichiers que le maximum accepté "
            f"({settings.DATA_UPLOAD_MAX_NUMBER_FILES} fichiers) : déposez-les en plusieurs "
            "fois."
        )
    if isinstance(exception, SuspiciousFileOperation):
        return (
            "Le nom d'un fichier envoyé n'a pas pu être utilisé : renommez le fichier avec un "
            "nom plus court, puis déposez-le à nouveau."
        )
    if isinstance(exception, MultiPartParserError):
        return (
            "Votre envoi est arrivé incomplet ou mal formé (connexion interrompue ou envoi coupé)."
        )
    return "La requête envoyée n'a pas pu être lue (envoi incomplet ou mal formé)."


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest" or request.path.endswith(
        "/brouillon/"
    )


@requires_csrf_token
def bad_request(request, exception=None):
    """handler400: the limit hit, in French; JSON for the automatic saving."""
    message = limit_message(exception)
    if _wants_json(request):
        return JsonResponse(
            {
                "error": f"L'enregistrement automatique n'a pas abouti. {message} "
                "Vos saisies restent dans la page."
            },
            status=400,
        )
    try:
        body = loader.render_to_string(
            "400.html", {"limit_message": message, "kept_message": KEPT}, request=request
        )
    except Exception:  # noqa: BLE001 — the page of a refused request must always answer
        body = (
            '<!doctype html><html lang="fr"><head><title>Envoi refusé</title></head><body>'
            f"<h1>Envoi refusé</h1><p>{escape(message)}</p><p>{escape(KEPT)}</p></body></html>"
        )
    return HttpResponseBadRequest(body)
