"""PyInstaller runtime hook: tells every resource lookup where the bundled ``resources/`` is.

In the one-folder build, ``resources/`` sits in ``sys._MEIPASS`` (the ``_internal`` folder).
The package's own ``Path(__file__)`` lookups already land there; the environment overrides make
it explicit for the modules that honour them, unless the user set them on purpose.
"""

import os
import sys

_bundle = getattr(sys, "_MEIPASS", None)
if _bundle:
    _resources = os.path.join(_bundle, "resources")
    os.environ.setdefault("ESCAP_RESOURCES", _resources)
    os.environ.setdefault("ESCAP_RESOURCES_DIR", _resources)
