"""(a) of the exchange benchmark: the bare FastAPI JSON echo every other figure is compared with."""

import orjson
from fastapi import FastAPI, Request, Response

app = FastAPI()


@app.post("/echo")
async def echo(request: Request) -> Response:
    return Response(orjson.dumps(orjson.loads(await request.body())), media_type="application/json")
