"""A cap on request body size, enforced while the body is read so chunked uploads are caught too."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contracts.errors import PayloadTooLarge


class BodySizeLimit:
    """Reading more than `max_bytes` of a request body raises `PayloadTooLarge` in the endpoint reading it.

    Raising inside the endpoint (rather than answering here) lets it log the refusal, as the exchange path must.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        limit = self.max_bytes
        if declared is not None and declared.isdigit() and int(declared) > limit:
            too_large = int(declared)

            async def refuse() -> Message:
                raise PayloadTooLarge(f"the body of {too_large} bytes is over the limit of {limit} bytes")

            await self.app(scope, refuse, send)
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(f"the body is over the limit of {limit} bytes")
            return message

        await self.app(scope, counting, send)
