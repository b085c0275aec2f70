"""A department's handler function, adapted once at registration into one uniform async call.

The adapter decides up front (not per request) whether the function is async, whether it takes the context,
and whether its request parameter is a pydantic model; answers are serialised with orjson, pydantic models
included (dumped in JSON mode without `None` fields: an optional property a contract leaves out is absent,
not null).
"""

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from connectors.sdk.context import RequestContext
from connectors.sdk.problems import RequestInvalid
from contracts import pointers

ServiceFunction = Callable[..., Any]


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(answer: Any) -> bytes:
    """The answer as JSON bytes; raises TypeError for what JSON cannot hold."""
    return orjson.dumps(answer, default=_json_default)


def _request_model(function: ServiceFunction) -> tuple[type[BaseModel] | None, bool]:
    """(the pydantic model of the first parameter or None, whether the function takes a context)."""
    try:
        signature = inspect.signature(function, eval_str=True)
    except (NameError, TypeError) as exc:
        raise TypeError(f"cannot resolve the annotations of handler {function.__qualname__}: {exc}") from None
    parameters = [
        p for p in signature.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if not 1 <= len(parameters) <= 2:
        raise TypeError(
            f"handler {function.__qualname__} must take (request) or (request, context), "
            f"not {len(parameters)} positional parameters"
        )
    annotation = parameters[0].annotation
    model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return model, len(parameters) == 2


class ServiceHandler:
    """Calls the function with the parsed request and the context; sync functions run in a worker thread."""

    def __init__(self, function: ServiceFunction) -> None:
        self.function = function
        self.model, self._takes_context = _request_model(function)
        self._is_async = inspect.iscoroutinefunction(function)

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"

    def parse(self, payload: Any) -> Any:
        """The argument for the function: the payload itself, or validated into the model."""
        if self.model is None:
            return payload
        try:
            return self.model.model_validate(payload)
        except ValidationError as exc:
            errors = [
                {"pointer": pointers.from_path(e["loc"]), "message": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
            raise RequestInvalid(
                f"the request does not fit {self.model.__name__}: {errors[0]['pointer'] or '/'}: "
                f"{errors[0]['message']}",
                errors=errors,
            ) from None

    async def __call__(self, request: Any, context: RequestContext) -> Any:
        args = (request, context) if self._takes_context else (request,)
        if self._is_async:
            return await self.function(*args)
        return await asyncio.to_thread(self.function, *args)
