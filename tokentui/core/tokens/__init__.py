"""Tokens: the secret format, creation, the lifecycle (revoke, reset, expiry), reminders."""
