"""`python -m bot` is the same as the `hearing-bot` command."""

import sys

from bot.cli import main

sys.exit(main())
