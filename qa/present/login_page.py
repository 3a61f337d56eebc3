"""What a visitor who has not logged in sees: the login form, not the schema of every endpoint. Gradio embeds
that schema (`window.gradio_api_info`: endpoint names, parameters, example values such as the outlet names)
in every page it serves, login page included; this middleware blanks it, and the page fetches it from
`/gradio_api/info`, which needs the login, once it has one."""

from __future__ import annotations

import re

_API_INFO = re.compile(rb"window\.gradio_api_info = .*?;</script>", re.DOTALL)
_BLANK = b"window.gradio_api_info = null;</script>"


class HideApiInfoMiddleware:
    """ASGI middleware: HTML pages go out with the embedded API schema blanked."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        held: dict = {}
        body = bytearray()

        async def hold_html(message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if not headers.get(b"content-type", b"").startswith(b"text/html"):
                    await send(message)
                    return
                held["start"] = message
                return
            if "start" not in held:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            page = _API_INFO.sub(_BLANK, bytes(body))
            start = held["start"]
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(page)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, hold_html)
