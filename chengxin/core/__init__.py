"""The framework layer every domain app builds on: request context, change records,
jurisdiction permissions, generic views and API helpers. It holds no domain rules."""
