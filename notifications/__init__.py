"""Reminders: rendering, the outbox and sending through Apprise."""
