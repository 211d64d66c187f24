"""Entry point for gunicorn/uvicorn: `tdah_reference.main:app`, configured from the environment."""
from __future__ import annotations

import os

from . import __version__
from .app import create_app
from .backends import Cache, Database
from .settings import load

settings = load(dict(os.environ), __version__)
app = create_app(settings, Database(settings), Cache(settings))
