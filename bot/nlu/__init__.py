"""Rasa graph components for the multilingual (en / zh / es) NLU pipeline."""
