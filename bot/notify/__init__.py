"""Premiere notifications: subscriptions, the premiere plan, and the durable delivery queue."""
