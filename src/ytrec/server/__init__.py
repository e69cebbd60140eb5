"""The application `ytrec serve` runs: the REST API and the web pages composed (``app``), and the
worker processes that serve it (``workers``). Imports point one way: server → web → api → core."""

from ytrec.server.app import create_app

__all__ = ["create_app"]
