"""Plain helpers for tests: answer profiles per language and a Socket.IO client."""
