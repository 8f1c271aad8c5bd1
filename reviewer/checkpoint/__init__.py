"""Checkpoints: dated report pairs in reports/, history.json, index.md and the trend between checkpoints."""

__all__: list[str] = []
