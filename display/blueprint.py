"""The waiting-room display page. Its data arrives over Socket.IO (namespace /display)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from shared.web import desk

bp = Blueprint("display", __name__, url_prefix="/display", template_folder="templates")


@bp.get("/")
def index():
    return render_template("display/index.html")


@bp.get("/state.json")
def state():
    return jsonify(desk().display_snapshot())
