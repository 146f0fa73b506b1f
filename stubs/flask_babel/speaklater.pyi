from typing import Any

# Not a str subclass at run time: it forwards every str method to the text translated
# when it is used. Typed as one so that a lazy label goes wherever a text is taken (the
# WTForms stubs take str). Never narrow on isinstance(x, str) for it.
class LazyString(str):
    def __init__(self, func: Any, *args: Any, **kwargs: Any) -> None: ...
    def __html__(self) -> str: ...
