"""What the Twilio stand-in's tests share: Twilio's error body, and a local server standing for the
customer's voice webhook (moved out of test_twilio_numbers.py and test_twilio_place_call.py, which other
tests imported)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def assert_twilio_error(response: httpx.Response, status: int, code: int) -> str:
    """Twilio's `{code, message, more_info, status}`; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (code, status)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    return body["message"]


SIP_TWIML = (
    "<Response><Dial><Sip>sip:+14155550100@sip.synthflow.ai:32681?X-EI=S.abc123%3B&amp;X-Account=A-1"
    "&amp;Bad-Header=1&amp;X-Twilio-Internal=no</Sip></Dial></Response>"
)


class WebhookServer:
    """A stand-in for Patchbay's voice webhook: records each request, answers what `reply` says."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply: Callable[[Request], Response] = lambda request: Response(SIP_TWIML, mimetype="text/xml")
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        self.requests.append(
            {
                "url": request.url,
                "method": request.method,
                "form": dict(request.form),
                "args": dict(request.args),
                "signature": request.headers.get("X-Twilio-Signature", ""),
            }
        )
        return self.reply(request)(environ, start_response)

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
