"""``python -m desktop`` runs the ``memberdesk`` command."""

import sys

from desktop.cli import main

sys.exit(main())
