# The part of flask-smorest 0.47.0 Collector uses (it ships no types).
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import apispec
import marshmallow as ma
from flask import Blueprint as FlaskBlueprint
from flask import Flask
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

_F = TypeVar("_F", bound=Callable[..., Any])
_Schema = type[ma.Schema] | ma.Schema

class Api:
    ERROR_SCHEMA: ClassVar[type[ma.Schema]]
    spec: apispec.APISpec
    def __init__(
        self,
        app: Flask | None = ...,
        *,
        spec_kwargs: Mapping[str, Any] | None = ...,
        config_prefix: str = ...,
    ) -> None: ...
    def init_app(self, app: Flask, *, spec_kwargs: Mapping[str, Any] | None = ...) -> None: ...
    def register_blueprint(
        self, blp: Blueprint, *, parameters: list[Any] | None = ..., **options: Any
    ) -> None: ...
    def _register_error_handlers(self) -> None: ...
    def _register_responses(self) -> None: ...
    def register_converter(
        self, converter: type[Any], func: Callable[[Any], dict[str, Any]]
    ) -> None: ...
    def handle_http_exception(self, error: HTTPException) -> Any: ...

class Blueprint(FlaskBlueprint):
    ARGUMENTS_PARSER: ClassVar[FlaskParser]
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict[str, str]]
    description: str
    def __init__(self, *args: Any, description: str = ..., **kwargs: Any) -> None: ...
    def route(
        self,
        rule: str,
        *,
        parameters: Iterable[Any] | None = ...,
        tags: Iterable[str] | None = ...,
        **options: Any,
    ) -> Callable[[_F], _F]: ...
    def arguments(
        self,
        schema: _Schema,
        *,
        location: str = ...,
        content_type: str | None = ...,
        required: bool = ...,
        description: str | None = ...,
        example: Any = ...,
        examples: Mapping[str, Any] | None = ...,
        **kwargs: Any,
    ) -> Callable[[_F], _F]: ...
    def response(
        self,
        status_code: int | str,
        schema: _Schema | None = ...,
        *,
        content_type: str | None = ...,
        description: str | None = ...,
        example: Any = ...,
        examples: Mapping[str, Any] | None = ...,
        headers: Mapping[str, Any] | None = ...,
    ) -> Callable[[_F], _F]: ...
    def alt_response(
        self,
        status_code: int | str,
        response: str | None = ...,
        *,
        schema: _Schema | None = ...,
        content_type: str | None = ...,
        description: str | None = ...,
        example: Any = ...,
        examples: Mapping[str, Any] | None = ...,
        headers: Mapping[str, Any] | None = ...,
        success: bool = ...,
    ) -> Callable[[_F], _F]: ...
    @staticmethod
    def doc(**kwargs: Any) -> Callable[[_F], _F]: ...
