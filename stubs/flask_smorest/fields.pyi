# flask-smorest's file field (multipart uploads), as Collector uses it.
from typing import Any

import marshmallow as ma

class Upload(ma.fields.Field[Any]):
    def __init__(self, format: str = ..., **kwargs: Any) -> None: ...
