"""Signals sent by the life of an answer (``forms_app.lifecycle``), for the parts built on
it (the households' case files) to react without the lifecycle importing them.

Both are sent with ``sender=Submission`` and ``submission=`` the answer, from inside the
lifecycle's transaction: a receiver's writes commit or roll back with the status change,
and an exception raised by a receiver undoes it (``send``, not ``send_robust``).
Receivers are connected in ``forms_app.apps.FormsAppConfig.ready``.
"""

from django.dispatch import Signal

# An answer was transmitted (filed): its data and files are the filed ones.
answer_filed = Signal()

# A filed answer went back to draft for its authors (a household document reopened).
answer_reopened = Signal()
