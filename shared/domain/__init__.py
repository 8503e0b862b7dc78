"""Plain-Python rules of the office: the SOP catalogue, the ticket workflow, numbering, opening hours,
estimates and the SKM arithmetic, announcement phrases, event names. No Flask, SQLAlchemy, escpos,
pyttsx3, socketio or gevent here (checked by import-linter)."""
