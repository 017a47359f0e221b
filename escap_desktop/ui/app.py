"""The GUI entry point: the application shell, then the start-up sequence."""

from __future__ import annotations

import sys

from escap_desktop.ui.app_shell import create_application, create_shell
from escap_desktop.ui.startup import Startup


def run_gui(data_dir: str | None, demo: bool = False) -> int:
    """Runs the application until its last window closes; returns the exit code.

    ``demo`` opens the synthetic demo practice (created on first use) instead of one's own.
    """
    app = create_application(sys.argv[:1])
    shell = create_shell(app)
    startup = Startup(shell, data_dir, demo=demo)
    startup.start()
    try:
        return app.exec()
    finally:
        startup.close()
        shell.close()
