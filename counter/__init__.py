"""The staff screens: login and the loket, the staff API, reports, printing, availability, admin, and the
Standar Pelayanan / Maklumat pages, the SKM results and follow-up."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from antrean.counter.admin import bp as admin_bp
    from antrean.counter.api import bp as staff_api_bp
    from antrean.counter.availability import bp as availability_bp
    from antrean.counter.blueprint import bp as counter_bp
    from antrean.counter.files import bp as files_bp
    from antrean.counter.messages import bp as outbox_bp
    from antrean.counter.printing import bp as printing_bp
    from antrean.counter.reports import bp as reports_bp
    from antrean.counter.skm import bp as skm_bp
    from antrean.counter.standards import bp as standards_bp
    from antrean.shared.web import menu

    app.register_blueprint(counter_bp)
    app.register_blueprint(files_bp)  # the back-office queue: files waiting for the user's roles
    app.register_blueprint(staff_api_bp)
    app.extensions["csrf"].exempt(staff_api_bp)  # authenticated per request (Basic or Bearer), never by cookie
    app.register_blueprint(reports_bp)
    app.register_blueprint(printing_bp)  # print queue, reprint, printer faults
    app.register_blueprint(outbox_bp)  # messages to citizens: waiting, failed, retry (admin, Kasi)
    app.register_blueprint(availability_bp)  # close a service for today, quotas
    app.register_blueprint(admin_bp)  # office profile, services and steps, lokets, users (admin role)
    app.register_blueprint(standards_bp)  # Standar Pelayanan and Maklumat: admin edits, Camat adopts
    app.register_blueprint(skm_bp)  # SKM results per period, publication, follow-up log, PDF report
    menu.init_app(app)  # the staff menu on every staff page, from the routes' own role rules
