"""Pre-screening assistant: shared Python code outside the Rasa action server."""
