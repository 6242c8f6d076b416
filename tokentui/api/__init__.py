"""The HTTP face: Contentful's access-token API over tokentui's core.

``create_app(service)`` builds the ASGI app; ``tokentui serve`` runs it on
uvicorn. Nothing here decides a rule: authentication, scopes, roles and
validation of names, scopes and expiry are the core's; this package reads
requests and renders answers in Contentful's shapes.
"""

from tokentui.api.app import create_app

__all__ = ["create_app"]
