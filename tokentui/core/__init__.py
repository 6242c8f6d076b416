"""The headless core: models, secrets, rules and the service. Never imports Textual or click."""
