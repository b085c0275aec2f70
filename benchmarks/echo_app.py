"""(a) of the exchange benchmark: the bare FastAPI JSON echo every other figure is compared with."""

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import ORJSONResponse

app = FastAPI()


@app.post("/echo")
async def echo(request: Request) -> Any:
    return ORJSONResponse(orjson.loads(await request.body()))
