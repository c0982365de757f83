"""``python -m desktop`` runs the ``memberdesk`` command."""

import multiprocessing
import sys

from desktop.cli import main

# A frozen (PyInstaller) build starts its worker processes (demo data) through this
# same executable; this lets such a start run the worker instead of the app.
multiprocessing.freeze_support()
sys.exit(main())
