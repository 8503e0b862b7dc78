"""The kiosk screen: the touchscreen page, the public ticket status, the public API, the survey and the
public information site (/informasi/)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from antrean.kiosk.api import bp as api_bp
    from antrean.kiosk.blueprint import bp as kiosk_bp
    from antrean.kiosk.booking import bp as booking_bp
    from antrean.kiosk.informasi import bp as informasi_bp
    from antrean.kiosk.survey import bp as survey_bp

    app.register_blueprint(kiosk_bp)
    app.register_blueprint(api_bp)
    app.extensions["csrf"].exempt(api_bp)  # JSON API: no cookies are trusted there
    app.register_blueprint(survey_bp)
    app.register_blueprint(informasi_bp)  # the public information site: standards, Maklumat, hours, complaints
    app.register_blueprint(booking_bp)  # booking a visit and joining today's queue from afar (docs/booking.md)
