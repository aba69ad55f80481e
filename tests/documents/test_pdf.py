"""With LibreOffice installed (CI installs it), every filed demo answer's Word document —
campaign answers and household documents — converts to PDF without error."""

import pytest

from documents.rendering.pdf import docx_to_pdf_many, pdf_available
from documents.rendering.store import submission_document
from forms_app.models import Submission, SubmissionStatus


@pytest.mark.skipif(not pdf_available(), reason="LibreOffice (soffice) is not installed here")
def test_every_filed_demo_document_converts_to_pdf(demo_households):
    filed = (
        Submission.objects.filter(
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
        )
        .select_related("campaign", "organisation", "territory", "form_version__form", "household")
        .order_by("pk")
    )
    documents = {
        f"{s.pk} {s.form_version.form.slug}": submission_document(submission=s) for s in filed
    }
    slugs = {name.split()[1] for name in documents}
    assert len(slugs) == 5, slugs  # the five forms of the scheme
    converted = docx_to_pdf_many(documents=documents)
    missing = sorted(set(documents) - set(converted))
    assert not missing, f"{len(missing)} documents did not convert: {missing[:5]}"
    assert all(pdf.startswith(b"%PDF") for pdf in converted.values())
