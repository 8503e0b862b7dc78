"""Helpers for the security tests: users holding chosen roles, the forms of a page, sample URLs
for every route of the app, the sign-in limit's message."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from werkzeug.routing import IntegerConverter, PathConverter

from antrean.shared.domain.catalogue import ADMIN_ROLE, STAFF_ROLES
from tests.support.fakes import fast_hash

ALL_ROLES = (*STAFF_ROLES, ADMIN_ROLE)
PASSWORD = "rahasia-uji-123"
TOO_MANY = "Terlalu banyak percobaan masuk yang gagal"  # the sign-in limit's message


def add_user(app, username: str, roles, loket: int | None = None) -> str:
    """A staff user with exactly ``roles`` (password PASSWORD), at loket number ``loket``."""
    from sqlalchemy import select

    from antrean.shared.store.db import transaction
    from antrean.shared.store.models import Loket, User

    with transaction(app.extensions["antrean"].sessions) as s:
        loket_id = s.scalar(select(Loket.id).where(Loket.number == loket)) if loket else None
        s.add(User(username=username, full_name=username.title(), password_hash=fast_hash(PASSWORD),
                   roles=list(roles), active=True, loket_id=loket_id))
    return username


def csrf_token(page: str) -> str | None:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else None


def login(client, username: str, password: str = PASSWORD, csrf: bool = False):
    data = {"username": username, "password": password}
    if csrf:
        data["csrf_token"] = csrf_token(client.get("/counter/login").get_data(as_text=True))
    resp = client.post("/counter/login", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return client


class Form:
    def __init__(self, method: str, action: str):
        self.method, self.action = method, action
        self.fields: list[tuple[str, str]] = []

    def data(self) -> dict:
        out: dict = {}
        for name, value in self.fields:
            out.setdefault(name, value)
        return out


class _Forms(HTMLParser):
    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form((a.get("method") or "get").lower(), a.get("action") or self.url)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea", "button") and a.get("name"):
            kind = (a.get("type") or "").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and a.get("value"):
            self._form.fields.append((self._select, a["value"]))
            self._select = None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(page: str, url: str) -> list[Form]:
    parser = _Forms(url)
    parser.feed(page)
    return parser.forms


def sample_url(app, rule) -> str:
    """A URL matching ``rule``, with placeholder values for its arguments."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, PathConverter):
            values[name] = "x/y"
        else:
            values[name] = "1" if name.endswith("id") else {"fmt": "csv", "kind": "steps"}.get(name, "x")
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def methods_of(rule) -> list[str]:
    return sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS"))
