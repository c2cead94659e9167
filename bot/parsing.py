"""Moved to ``bot.understanding.parsing`` (the words to ``bot/understanding/lang/``).

This module is that one under its old name, for the imports in ``actions/``, ``bot/nlu/``,
``scripts/`` and ``tools/`` until they name the new place.
"""

import sys

from bot.understanding import parsing as _parsing

sys.modules[__name__] = _parsing
