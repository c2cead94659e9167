"""5. The intent classifier's weights kept in column order, so scipy need not copy them.

The intent classifier multiplies each message by its weight matrix; scipy copies the matrix
(27 x ~15,000) on every call because sklearn hands it over transposed. Keeping the weights in
column order after loading makes that product copy-free (0.19 -> 0.03 ms), same numbers. This acts
when Rasa loads the model, so it has to be on before then: `bot.speedups.register` applies the
patches before Rasa's own start-up listener loads the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

_original_load = LogisticRegressionClassifier.__dict__["load"].__func__


def load(cls, *args: Any, **kwargs: Any) -> LogisticRegressionClassifier:
    """Rasa's `LogisticRegressionClassifier.load`, then the same weights in column order."""
    component = _original_load(cls, *args, **kwargs)
    clf = getattr(component, "clf", None)
    if getattr(clf, "coef_", None) is not None:
        clf.coef_ = np.asfortranarray(clf.coef_)
    return component


PATCHES = ((LogisticRegressionClassifier, "load", classmethod(load)),)
