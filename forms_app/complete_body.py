"""A save changes something only when its whole body arrived.

A connection cut mid-request, or a multipart body without its closing boundary, leaves a
body that Django parses without complaint: the fields sent before the cut, none after. Saved
as a draft, such a body wipes what was typed in every field it lacks. So every fill form ends
with a closing marker, a hidden input that is the form's LAST element (``_fin`` = ``1``):
browsers send fields in the form's order, so a body that holds the marker holds every field
before it. Fields legitimately absent (an unchecked box) do not matter: the marker, not the
presence of fields, tells a complete body.

A multipart body must also end with its closing boundary (``--boundary--``) and carry as many
bytes as it announced; ``BodyTailMiddleware`` keeps the last bytes read of each POST body so
that the views can check it after Django has parsed it.
"""

from __future__ import annotations

from django.http import HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.http import parse_header_parameters

END_FIELD = "_fin"
END_VALUE = "1"

INCOMPLETE_PAGE_MESSAGE = (
    "Votre envoi est arrivé incomplet (connexion interrompue ou envoi coupé) : rien n'a été "
    "enregistré, le brouillon enregistré auparavant est intact. La page montre ce qui est "
    "arrivé, complété par ce brouillon : vérifiez vos saisies puis enregistrez à nouveau."
)
INCOMPLETE_AUTOSAVE_MESSAGE = (
    "L'enregistrement automatique n'a pas abouti (connexion interrompue) : vos saisies "
    "restent dans la page, réessayez."
)
INCOMPLETE_FORM_MESSAGE = (
    "Votre envoi est arrivé incomplet (connexion interrompue ou envoi coupé) : rien n'a été "
    "enregistré. Vérifiez les informations ci-dessous puis enregistrez à nouveau."
)

TAIL_BYTES = 512


class _TailStream:
    """Reads through the request's stream, counting bytes and keeping the last ones."""

    def __init__(self, stream):
        self._stream = stream
        self.count = 0
        self.tail = b""

    def _note(self, data: bytes) -> bytes:
        if data:
            self.count += len(data)
            self.tail = (self.tail + data)[-TAIL_BYTES:]
        return data

    def read(self, *args, **kwargs):
        return self._note(self._stream.read(*args, **kwargs))

    def readline(self, *args, **kwargs):
        return self._note(self._stream.readline(*args, **kwargs))

    def close(self):
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class BodyTailMiddleware:
    """Wraps each POST's input stream so that the end of the body can be checked later.
    Placed before any middleware that reads ``request.POST`` (the CSRF check)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and hasattr(request, "_stream"):
            request._stream = request._body_tail = _TailStream(request._stream)
        return self.get_response(request)


def _announced_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _multipart_is_closed(request: HttpRequest) -> bool:
    """The body announced as multipart ends with its closing boundary and is as long as
    announced."""
    _, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    boundary = params.get("boundary", "").encode("ascii", "replace")
    if not boundary:
        return False
    if hasattr(request, "_body"):
        tail, count = request._body[-TAIL_BYTES:], len(request._body)
    else:
        tracked = getattr(request, "_body_tail", None)
        if tracked is None:
            return True  # not tracked (a request built by hand in code): the marker decides
        tail, count = tracked.tail, tracked.count
    announced = _announced_length(request)
    if announced is None or count < announced:
        return False
    return tail.rstrip(b"\r\n\t ").endswith(b"--" + boundary + b"--")


def body_is_complete(request: HttpRequest) -> bool:
    """Whether the POST body arrived whole: its parsing did not fail, it ends with the
    closing marker exactly, and a multipart body ends with its closing boundary."""
    try:
        post = request.POST
    except (MultiPartParserError, UnreadablePostError):
        return False  # an unparsable body is an incomplete one; a limit hit (too big, too
        # many fields or files) goes on to the handler400 that names it

    if post.getlist(END_FIELD) != [END_VALUE]:
        return False
    if request.content_type == "multipart/form-data":
        return _multipart_is_closed(request)
    return True
