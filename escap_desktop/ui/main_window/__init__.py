"""The main window: the patient list, the opened ESCAP pages and the status bar."""
