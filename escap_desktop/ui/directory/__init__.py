"""Standalone widgets of the public directory: import dialog, search widget, manual entry.

Each takes the :class:`~escap_desktop.services.directory.DirectoryService` in its
constructor, so the main window and the inclusion wizard can embed them as they are.
"""

from escap_desktop.ui.directory.directory_table_model import DirectoryTableModel
from escap_desktop.ui.directory.import_dialog import ImportDirectoryDialog
from escap_desktop.ui.directory.manual_dialog import ManualProfessionalDialog
from escap_desktop.ui.directory.search_widget import DirectorySearchWidget

__all__ = [
    "DirectorySearchWidget",
    "DirectoryTableModel",
    "ImportDirectoryDialog",
    "ManualProfessionalDialog",
]
