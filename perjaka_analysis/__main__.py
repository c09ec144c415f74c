"""``python -m perjaka_analysis`` runs the ``perjaka`` command."""

import sys

from .cli import main

sys.exit(main())
