"""Report import: templates, reading, validation, preview, all-or-nothing apply, history and undo.

Pages and the command line use only the names below.
"""

from data_access.importing.history import (
    UndoRefused,
    batch_changes,
    history_table,
    import_history,
    undo_import,
)
from data_access.importing.issues import ImportRejected, Issue, issues_frame
from data_access.importing.loading import ImportOutcome, check_file, import_file, record_attempt
from data_access.importing.plausibility import PlausibilityWarning, warnings_frame
from data_access.importing.spec import REPORT_TYPES, ReportType, report_type
from data_access.importing.templates import prefill_units, reported_values, template_file_name, template_xlsx

__all__ = [
    "REPORT_TYPES", "ImportOutcome", "ImportRejected", "Issue", "ReportType", "UndoRefused", "batch_changes",
    "check_file", "history_table", "import_file", "import_history", "issues_frame", "prefill_units",
    "record_attempt", "report_type", "reported_values", "template_file_name", "template_xlsx", "undo_import",
    "PlausibilityWarning", "warnings_frame",
]
