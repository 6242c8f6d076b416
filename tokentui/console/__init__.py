"""The Textual console: the admin face of tokentui."""
