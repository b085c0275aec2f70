"""(d) of the exchange benchmark: a department's REST backend, answering what the connector of (b) answers."""

import orjson
from fastapi import FastAPI, Request, Response

app = FastAPI()


@app.post("/ho-so")
async def status(request: Request) -> Response:
    asked = orjson.loads(await request.body())
    answer = {"ma_ho_so": asked["ma_ho_so"], "trang_thai": "dang-xu-ly", "ngay_hen_tra": "2024-11-25"}
    return Response(orjson.dumps(answer), media_type="application/json")
