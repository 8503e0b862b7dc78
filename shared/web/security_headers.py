"""HTTP security headers for every response: a Content-Security-Policy the pages satisfy (no inline
script or style, nothing from another origin), no framing, no MIME sniffing, a same-origin referrer,
and no camera/microphone/location for any page. See docs/security.md.

The pages keep to this policy: scripts are files in each screen's static/ folder or /vendor/ (npm), data
for them sits in ``<script type="application/json">`` blocks (not executed, so not blocked), and
styles are in shared/web/static/app.css. Socket.IO connects to the same origin (``connect-src 'self'``
covers ws:// and wss:// on the same host); the display plays its WAV files and a silent blob: clip.
"""
from __future__ import annotations

from flask import Flask

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "media-src": "'self' blob:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()"


def content_security_policy() -> str:
    return "; ".join(f"{name} {value}" for name, value in CSP.items())


def headers(hsts: bool = False) -> dict[str, str]:
    found = {
        "Content-Security-Policy": content_security_policy(),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS,
    }
    if hsts:  # only when the office is served over HTTPS (ANTREAN_SECURE_COOKIES / an https public URL)
        found["Strict-Transport-Security"] = "max-age=31536000"
    return found


def init_app(app: Flask) -> None:
    fixed = headers(hsts=bool(app.config.get("SESSION_COOKIE_SECURE")))

    @app.after_request
    def _security_headers(resp):
        for name, value in fixed.items():
            resp.headers.setdefault(name, value)
        return resp
