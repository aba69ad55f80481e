"""The documents app's models, registered with Django here and defined in the subpackage
that owns each: Word templates (``documents.rendering.models``), zip exports
(``documents.exports.models``), consolidation rules (``documents.consolidation.models``).

Nothing in ``documents`` imports this module (import-linter holds the subpackages to their
own models): it is Django's registration point, and the tests' short way to the models.
"""

from documents.consolidation.models import ConsolidationRules
from documents.exports.models import DocumentExport, ExportStatus
from documents.rendering.models import TemplatePurpose, WordTemplate

__all__ = [
    "ConsolidationRules",
    "DocumentExport",
    "ExportStatus",
    "TemplatePurpose",
    "WordTemplate",
]
