"""The waiting-room display: its page, announcement audio, logo and settings form."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from antrean.display.blueprint import bp

    app.register_blueprint(bp)
