"""tokentui: a terminal admin console, CLI and HTTP API for API access tokens."""

__version__ = "0.1.0"
