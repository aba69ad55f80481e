"""The revision a page was built on, and the message when the record moved on meanwhile:
shared by every page that edits a record under a revision (an answer, a case file…)."""

from __future__ import annotations


def posted_revision(request) -> int:
    """The revision the page was built on; anything unreadable counts as stale."""
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return 0


def stale_message(changed: str) -> str:
    """The one conflict message of every record edited through a page (an answer, a case
    file…): ``changed`` says what changed (« Cette réponse a été modifiée »)."""
    return (
        f"{changed} entre-temps (dans un autre onglet ou par un collègue). "
        "Votre saisie n'a pas été enregistrée : rechargez la page pour repartir de la dernière "
        "version, puis reportez vos changements."
    )
