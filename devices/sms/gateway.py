"""An HTTP SMS gateway (a provider's API): one request per message, from a URL template."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx

from devices.errors import DeviceUnavailable
from devices.health import Health, StateListener
from devices.sms.modem import SmsError

# What a provider's answer means for the hall: no credit (402), credentials refused (401/403).
STATES = {401: "bad_credentials", 402: "no_credit", 403: "bad_credentials"}
# A provider's error text may echo the number; the detail becomes a device state in the event log.
PHONE = re.compile(r"(1[3-9]\d)\d{4}(\d{4})")


class HttpGateway:
    """`template` takes {phone} and {text} (URL-encoded): `https://sms.example/send?to={phone}&msg={text}`.
    With `method="POST"` the same fields also go as a JSON body. `token` is sent as a Bearer
    header, `user`/`password` as basic auth."""

    kind = "sms"

    def __init__(
        self,
        template: str,
        *,
        method: str = "POST",
        token: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        name: str = "sms",
        on_state: StateListener | None = None,
    ):
        if "{phone}" not in template:
            raise ValueError("the SMS gateway URL template must contain {phone}")
        self.template = template
        self.method = method.upper()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        auth = httpx.BasicAuth(user, password or "") if user else None
        self.client = httpx.Client(timeout=timeout, headers=headers, auth=auth)
        self.health = Health(name, on_state)

    def send(self, to: str, text: str) -> list[int]:
        url = self.template.format(phone=quote(to, safe="+"), text=quote(text, safe=""))
        body = {"phone": to, "text": text} if self.method == "POST" else None
        try:
            answer = self.client.request(self.method, url, json=body)
        except httpx.HTTPError as exc:
            # The URL (with its query) stays out of the message: a provider's key may sit in it.
            detail = f"SMS gateway unreachable ({type(exc).__name__}); check the network and HALLQ_SMS_GATEWAY_URL"
            self.health.report("unreachable", detail)
            raise DeviceUnavailable(detail) from None
        if answer.is_success:
            self.health.report("ok")
            return [answer.status_code]
        state = STATES.get(answer.status_code, "error")
        said = PHONE.sub(r"\1****\2", answer.text[:200])
        detail = f"SMS gateway answered {answer.status_code}: {said}"
        self.health.report(state, detail)
        raise SmsError(detail, state)

    def close(self) -> None:
        self.client.close()
