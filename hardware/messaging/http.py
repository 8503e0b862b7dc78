"""WhatsApp or SMS through an HTTP gateway: a POST to a configured URL with a token header and a
body made from a template.

The template is JSON (``format="json"``, e.g. the WhatsApp Business Cloud API) or form fields
(``format="form"``, as Indonesian gateways such as Fonnte or Wablas take them:
``target={to_digits}&message={text}``). Placeholders: ``{to}`` (``+628...``), ``{to_digits}``
(``628...``), ``{to_local}`` (``08...``), ``{text}``, ``{subject}``. In JSON each value is
inserted JSON-escaped; in form fields each field is filled and then URL-encoded."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import parse_qsl, urlencode

from antrean.hardware.messaging.base import SendError
from antrean.shared.domain.contact import Message

FORMATS = ("json", "form")
WHATSAPP_CLOUD = ('{"messaging_product": "whatsapp", "to": "{to_digits}", "type": "text", '
                  '"text": {"body": "{text}"}}')
FORM_DEFAULT = "target={to_digits}&message={text}"


def _fill(template: str, values: dict[str, str]) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


class HttpGateway:
    def __init__(self, url: str, token: str = "", token_header: str = "Authorization",
                 template: str = "", body_format: str = "json", timeout: float = 10.0, name: str = "gateway"):
        if body_format not in FORMATS:
            raise ValueError(f"gateway body format must be one of {', '.join(FORMATS)}")
        self.url, self.token, self.token_header = url, token, token_header
        self.body_format = body_format
        self.template = template or (WHATSAPP_CLOUD if body_format == "json" else FORM_DEFAULT)
        self.timeout = timeout
        self.name = name

    def describe(self) -> str:
        return f"{self.name} HTTP gateway ({self.body_format})"

    def body(self, to: str, message: Message) -> tuple[bytes, str]:
        values = {"to": to, "to_digits": to.lstrip("+"), "to_local": "0" + to[3:] if to.startswith("+62") else to,
                  "text": message.text, "subject": message.subject}
        if self.body_format == "json":
            escaped = {k: json.dumps(v)[1:-1] for k, v in values.items()}
            text = _fill(self.template, escaped)
            json.loads(text)  # a broken template fails here, not at the gateway
            return text.encode("utf-8"), "application/json"
        fields = [(k, _fill(v, values)) for k, v in parse_qsl(self.template, keep_blank_values=True)]
        return urlencode(fields).encode("utf-8"), "application/x-www-form-urlencoded"

    def send(self, to: str, message: Message) -> None:
        try:
            data, content_type = self.body(to, message)
        except ValueError:
            raise SendError(f"{self.name}: the body template is not valid JSON", permanent=True) from None
        request = urllib.request.Request(self.url, data=data, method="POST",
                                         headers={"Content-Type": content_type, "User-Agent": "antrean"})
        if self.token:
            request.add_header(self.token_header, self.token)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # the office's gateway
                response.read(4096)
        except urllib.error.HTTPError as exc:
            # 4xx other than 408/429: the gateway refused this message; trying again cannot help
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise SendError(f"{self.name}: HTTP {exc.code}", permanent=permanent) from None
        except (OSError, urllib.error.URLError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SendError(f"{self.name}: {type(reason).__name__}: {reason}") from None
