"""The « Reprendre… » confirmation pages: each field's typed value beside the one proposed
(counters computed from the household files, or the household's case file), to tick those
to replace. Thin: writes via forms_app.reprise; an answer is reached as its other pages
reach it (forms_app.views), a household document as the case file's pages do
(forms_app.households.views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from forms_app import lifecycle, reprise
from forms_app.complete_body import body_is_complete
from forms_app.households import indicators
from forms_app.households.views import followed_household_document
from forms_app.revisions import posted_revision
from forms_app.views import incomplete_page, visible_submission
from portal import permissions

INDICATOR_TEXTS = {
    "title": "Reprendre les chiffres calculés depuis les dossiers ménages",
    "intro": (
        "Votre saisie est enregistrée comme brouillon. Voici, pour chaque champ, le chiffre "
        "que vous avez saisi et celui calculé depuis les dossiers ménages : cochez ceux à "
        "remplacer. Les champs vides sont cochés ; un chiffre saisi n'est remplacé que si "
        "vous le cochez."
    ),
    "proposed": "Calculé depuis les dossiers",
    "nothing": "Vos chiffres sont déjà ceux calculés depuis les dossiers : rien à reprendre.",
}
REFILL_TEXTS = {
    "title": "Reprendre les informations du dossier du ménage",
    "intro": (
        "Votre saisie est enregistrée comme brouillon. Voici, pour chaque champ, ce que vous "
        "avez saisi et ce que disent le dossier du ménage et ses documents précédents : "
        "cochez ceux à remplacer. Les champs vides sont cochés ; une saisie n'est remplacée "
        "que si vous la cochez."
    ),
    "proposed": "Dans le dossier",
    "nothing": "Vos saisies correspondent déjà au dossier du ménage : rien à reprendre.",
}
PROPOSALS_CHANGED = (
    "Les valeurs proposées ont changé entre-temps : rien n'a été remplacé. Vérifiez-les de "
    "nouveau avant de confirmer."
)
DRAFT_CHANGED = (
    "Ce brouillon a été modifié entre-temps (dans un autre onglet ou par un collègue) : rien "
    "n'a été remplacé. Voici les valeurs à jour ; choisissez de nouveau."
)


def reprise_confirm(request, submission, *, propose, texts: dict, url_name: str):
    """GET: each field's typed value beside the proposed one, to tick those to replace.
    POST: replaces the ticked fields only, if the draft and the proposals are still those
    shown; nothing ticked, nothing written."""
    proposals = propose(submission)
    if request.method == "POST":
        chosen = set(request.POST.getlist("remplacer"))
        changed = [
            proposal
            for proposal in proposals
            if proposal.key in chosen
            and request.POST.get(f"propose-{proposal.key}") != proposal.proposed
        ]
        if changed:
            messages.error(request, PROPOSALS_CHANGED)
            return _render_reprise(request, submission, proposals, texts, url_name, chosen)
        try:
            submission, replaced = reprise.proposals_apply(
                submission=submission,
                user=request.user,
                proposals=proposals,
                chosen=chosen,
                expected_revision=posted_revision(request),
            )
        except lifecycle.StaleSubmission:
            messages.error(request, DRAFT_CHANGED)
            return redirect(url_name, pk=submission.pk)
        except lifecycle.NotEditable:
            return redirect("forms_app:answer_detail", pk=submission.pk)
        if replaced:
            labels = ", ".join(f"« {proposal.label} »" for proposal in replaced)
            messages.success(request, f"Remplacé : {labels}. Les autres champs sont inchangés.")
        else:
            messages.info(request, "Rien n'a été remplacé : votre saisie est conservée.")
        return redirect("forms_app:answer_edit", pk=submission.pk)
    return _render_reprise(request, submission, proposals, texts, url_name)


def _render_reprise(request, submission, proposals, texts, url_name, chosen=None):
    rows = [
        {
            "proposal": proposal,
            "checked": (
                proposal.key in chosen if chosen is not None else proposal.replace_by_default
            ),
        }
        for proposal in proposals
    ]
    return TemplateResponse(
        request,
        "forms_app/answer_reprise.html",
        {
            "submission": submission,
            "rows": rows,
            "texts": texts,
            "revision": submission.revision,
            "action_url": url_name,
        },
    )


@login_required
@never_cache
def answer_copy_indicators(request, pk: int):
    """« Reprendre ces chiffres »: the counters computed from the household files beside
    the typed ones; only those the person ticks are written into the draft."""
    submission = visible_submission(request, pk)
    if not permissions.can_edit_submission(request.user, submission):
        if permissions.can_answer_for(request.user, submission.organisation):
            return redirect("forms_app:answer_detail", pk=pk)
        raise PermissionDenied
    if not indicators.indicators_for_answer(submission):
        messages.info(
            request, "Aucun chiffre n'est calculé depuis les dossiers pour ce formulaire."
        )
        return redirect("forms_app:answer_edit", pk=pk)
    if request.method == "POST" and not body_is_complete(request):
        return incomplete_page(request, submission)
    return reprise_confirm(
        request,
        submission,
        propose=reprise.indicator_proposals,
        texts=INDICATOR_TEXTS,
        url_name="forms_app:answer_copy_indicators",
    )


@login_required
@never_cache
def household_document_refill(request, pk: int):
    """« Reprendre les informations du dossier »: what the case file and the earlier
    documents say beside what was typed; only the fields the person ticks are replaced."""
    document = followed_household_document(request, pk)
    if request.method == "POST" and not body_is_complete(request):
        return incomplete_page(request, document)
    if not document.is_editable:
        messages.info(request, "Ce document est finalisé : rouvrez-le pour le modifier.")
        return redirect("forms_app:answer_detail", pk=document.pk)
    return reprise_confirm(
        request,
        document,
        propose=reprise.refill_proposals,
        texts=REFILL_TEXTS,
        url_name="forms_app:household_document_refill",
    )
