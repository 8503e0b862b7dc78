"""App-wide error handlers: JSON errors under /api, and 503 when the database cannot answer."""
from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from antrean.shared.web import limits
from antrean.shared.web.helpers import database_unavailable


def init_app(app: Flask) -> None:
    limits.init_app(app)  # the body's size, JSON's depth, NUL and lone surrogates: before any view
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, database_unavailable)  # locked, unreachable, full: 503, retry


def _page_texts() -> dict[int, tuple[str, str]]:
    """The title and the explanation of an error page, by status, in the page's language."""
    return {
        400: (_("Permintaan tidak valid"), _("Isian yang dikirim tidak dapat diproses. Periksa lalu coba lagi.")),
        401: (_("Perlu masuk"), _("Silakan masuk sebagai petugas terlebih dahulu.")),
        403: (_("Akses ditolak"), _("Peran Anda tidak diizinkan membuka halaman ini. "
                                    "Pilih halaman yang tersedia untuk Anda di menu.")),
        404: (_("Halaman tidak ditemukan"), _("Alamat ini tidak ada. Periksa alamatnya atau kembali ke halaman awal.")),
        405: (_("Cara akses tidak diizinkan"), _("Halaman ini tidak dapat dibuka dengan cara itu.")),
        413: (_("Permintaan terlalu besar"), _("Permintaan terlalu besar.")),
        429: (_("Terlalu banyak permintaan"), _("Silakan tunggu sebentar lalu coba lagi.")),
        500: (_("Terjadi kesalahan"), _("Terjadi kesalahan pada sistem. Silakan coba lagi.")),
    }


def _http_error(exc: HTTPException):
    """Under /api answer JSON, elsewhere a short page in the page's language (Indonesian by default):
    a message the view gave (``abort(400, _("..."))``) is kept, Werkzeug's English text is not."""
    if request.path.startswith("/api/"):
        # the exception's own headers stay (``Allow`` on a 405), all but its HTML Content-Type
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if exc.code == 429:  # a limit was reached: when to try again (shared/web/login_limits.py)
            headers.append(("Retry-After", str(g.get("login_retry_seconds", 60))))
        return jsonify({"error": exc.description, "code": exc.name.lower().replace(" ", "_")}), exc.code, headers
    if exc.code is None or exc.code < 400 or exc.response is not None:
        return exc  # a redirect or a response of its own
    texts = _page_texts()
    title, default = texts.get(exc.code, texts[500 if exc.code >= 500 else 400])
    own = exc.description if exc.description != type(exc).description else None
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return render_template("error.html", status=exc.code, title=title, message=own or default), exc.code, headers


def _too_large(exc: RequestEntityTooLarge):
    """413: the JSON error shape under /api, a short Indonesian page elsewhere; the body is not read
    further and nothing of it is echoed."""
    return limits.bad_request(_("Permintaan terlalu besar."), "too_large", 413)
