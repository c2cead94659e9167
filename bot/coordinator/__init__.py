"""The coordinator's web inbox over the lead store (Sanic app in ``bot.coordinator.app``)."""
