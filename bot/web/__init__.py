"""The patient and guardian web page (see server.py)."""
