"""3. What the server loaded before it started is frozen out of the garbage collector.

Python's full garbage collection walks every live object, and a loaded Rasa (TensorFlow, spaCy,
the model) has millions that live as long as the process. Under load a full collection ran about
every 2 s and stalled every conversation for ~260 ms. Once the server has started, `freeze` moves
everything loaded so far out of the collector's sight (`gc.freeze`), so later collections only look
at conversation-sized garbage. Nothing of Rasa's is replaced: `bot.speedups.register` calls this
after the server has started (Rasa has loaded the model by then), when the patches are on.
"""

from __future__ import annotations

import gc

PATCHES = ()


def freeze() -> None:
    """Collects once, then freezes what is left; a second call (a second channel) does nothing."""
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()
