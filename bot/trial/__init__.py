"""The trial core: what a trial asks, what the answers mean, and the outcome.

No Rasa or rasa_sdk imports anywhere in this package: the actions (``actions/``) and the lead
store (``bot/leads``) both depend on it, and it depends on neither. ``model`` holds the pieces
every trial is made of; each trial is a package of its own (its definition, the few rules that
need code, and its words per language). ``TRIAL`` is the one this deployment pre-screens for.
"""

from bot.trial.nct06389305 import TRIAL

__all__ = ["TRIAL"]
