"""`python -m bot` runs the `somesossu` command."""

import sys

from bot.cli import main

sys.exit(main())
