"""Bounded input, checked once for every request before a view or a database sees it (docs/security.md):

- the body: at most ``MAX_CONTENT_LENGTH`` bytes (``ANTREAN_MAX_REQUEST_BYTES``), else 413; a view
  that takes a file names its own allowance with ``@allow_body(n)`` (the logo, the catalogue file);
- JSON: nested at most ``MAX_JSON_DEPTH`` deep; deeper, or too deep for the parser, is not JSON
  (the views answer 400 ``bad_json``), never a RecursionError's 500;
- text: a NUL or a lone surrogate in the query, the path, a form field or a JSON body is refused
  with 400 ``bad_text`` (the rule is ``services.errors.clean_text``, which the services also apply).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Request, current_app, jsonify, render_template_string, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _

from antrean.shared.services.errors import OperationError, clean_text

MAX_JSON_DEPTH = 32
F = TypeVar("F", bound=Callable[..., Any])


def allow_body(max_bytes: int) -> Callable[[F], F]:
    """A view that receives a file: its body may be up to ``max_bytes`` (or the app's limit, if larger)."""
    def decorate(view: F) -> F:
        view.__dict__["max_body_bytes"] = max_bytes  # a function attribute, which mypy does not model
        return view
    return decorate


class BoundedRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        view = current_app.view_functions.get(self.endpoint or "") if current_app else None
        allowance = getattr(view, "max_body_bytes", None)
        if allowance is not None and limit is not None:
            return max(limit, allowance)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def json_depth(value: Any) -> int:
    """How deep lists and objects nest (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deep") from None
        if json_depth(value) > MAX_JSON_DEPTH:
            raise ValueError("JSON nested too deep")
        return value


def init_app(app: Flask) -> None:
    app.request_class = BoundedRequest
    app.json = BoundedJSONProvider(app)
    # first of all before-request functions: nothing (login limits, sessions) reads input before it
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_bad_text)


def _refuse_bad_text():
    try:
        clean_text(request.view_args or {}, list(request.args.lists()))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if request.is_json:
                clean_text(request.get_json(silent=True))
            elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                clean_text(list(request.form.lists()))
    except OperationError as exc:
        return bad_request(str(exc), exc.code)
    return None


PAGE = """<!doctype html><html lang="id"><meta charset="utf-8"><title>{{ title }}</title>
<body><h1>{{ title }}</h1><p>{{ message }}</p><p><a href="javascript:history.back()">{{ back }}</a></p></body></html>"""


def bad_request(message: str, code: str, status: int = 400):
    """An input refusal: the JSON error shape under /api, a short page elsewhere. Never echoes the input."""
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "code": code}), status
    return render_template_string(PAGE, title=_("Permintaan ditolak"), message=message, back=_("Kembali")), status
