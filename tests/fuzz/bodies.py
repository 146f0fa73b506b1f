"""Hostile request bodies as hypothesis strategies: every value is one a correct app
refuses wherever it lands (numbers past any bound, NaN and Infinity in every spelling,
control characters, invalid UTF-8, oversize text, deep JSON, wrong types), so no body
here may change what is stored."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

HUGE_NUMBERS = [
    "9" * 400,
    "-" + "9" * 400,
    "1e309",
    "-1e400",
    "1e-400",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "-2147483649",
    "18446744073709551616",
    "1" + "0" * 20 + ".5",
    "0." + "1" * 400,
    "-1",
    "-2147483648",
    "9007199254740993",
    "1e16",
    "0x7fffffff",
    "1_000_000",
    "١٢٣",  # Arabic-Indic digits: int() reads them
    "²",  # str.isdigit() says yes, int() says no
    "１２",  # full-width digits
    "1,5e308",
    "--1",
    "+-1",
    "1e",
]
NOT_A_NUMBER = [
    "nan",
    "NaN",
    "NAN",
    "-nan",
    "+nan",
    "sNaN",
    "-sNaN",
    "qNaN",
    "nan(123)",
    "inf",
    "-inf",
    "+inf",
    "Inf",
    "INF",
    "Infinity",
    "-Infinity",
    "+Infinity",
    "infinity",
    "iNfInItY",
    "1e999",
    "-1e999",
    "∞",
    "-∞",
]
# C0 controls (no tab, newline, return) and DEL: refused in every text field.
CONTROLS = [chr(c) for c in range(32) if c not in (9, 10, 13)] + ["\x7f"]
DEEP = 1000


def deep_json_text() -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            "[" * DEEP + "]" * DEEP,
            '{"a":' * DEEP + "1" + "}" * DEEP,
            "[" * 100_000,
            '{"a": NaN, "b": Infinity, "c": -Infinity}',
            "1" * 5000,
        ]
    )


def controlled_text() -> st.SearchStrategy[str]:
    """Random text with at least one control character in it."""
    return st.tuples(st.text(max_size=30), st.sampled_from(CONTROLS), st.text(max_size=10)).map(
        lambda parts: parts[0] + parts[1] + parts[2]
    )


def oversize_text() -> st.SearchStrategy[str]:
    return st.tuples(
        st.sampled_from(["я", "9", "a", "\u202e", "😀", "\x00"]),
        st.sampled_from([5_001, 70_000, 200_000]),
    ).map(lambda pair: pair[0] * pair[1])


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HUGE_NUMBERS + NOT_A_NUMBER),
        controlled_text(),
        oversize_text(),
        deep_json_text(),
    )


# Byte strings that are no UTF-8: a surrogate (CESU-8), a lone continuation byte, an
# overlong NUL, a truncated sequence, Windows-1251 Cyrillic.
BAD_UTF8 = [
    b"\xed\xa0\x80",
    b"\x80",
    b"\xc0\x80",
    b"\xe2\x82",
    b"\xff\xfe",
    "Привет".encode("cp1251"),
]


def hostile_bytes() -> st.SearchStrategy[bytes]:
    """A value as sent on the wire: hostile text, or random bytes holding invalid UTF-8."""
    return st.one_of(
        hostile_text().map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.tuples(st.binary(max_size=40), st.sampled_from(BAD_UTF8)).map(
            lambda pair: pair[0] + pair[1]
        ),
    )


def hostile_json_value() -> st.SearchStrategy[object]:
    leaf = st.one_of(
        st.sampled_from([10**400, -(10**400), 2**63, float("nan"), float("inf"), -float("inf")]),
        hostile_text(),
        st.sampled_from([None, True, [], {}]),
    )
    return st.recursive(leaf, lambda inner: st.lists(inner, max_size=3), max_leaves=6)


@dataclass(frozen=True)
class Body:
    """A request body as the test client sends it, and a short description of it."""

    data: bytes
    content_type: str | None
    summary: str


def _short(value: bytes) -> str:
    text = repr(value[:40])
    return text + (f"…({len(value)} bytes)" if len(value) > 40 else "")


def _urlencoded(pairs: list[tuple[str, bytes]]) -> Body:
    data = "&".join(
        f"{quote_from_bytes(k.encode())}={quote_from_bytes(v)}" for k, v in pairs
    ).encode("ascii")
    summary = "form " + ", ".join(f"{k}={_short(v)}" for k, v in pairs[:6])
    if len(pairs) > 6:
        summary += f", … ({len(pairs)} fields)"
    return Body(data, "application/x-www-form-urlencoded", summary)


def _multipart(pairs: list[tuple[str, bytes]], files: list[tuple[str, bytes, bytes]]) -> Body:
    boundary = f"fuzz{random.Random(len(pairs)).getrandbits(64):x}"
    parts: list[bytes] = []
    for name, value in pairs:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
        )
    for name, filename, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="'.encode()
            + filename
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    summary = "multipart " + ", ".join(f"{k}={_short(v)}" for k, v in pairs[:4])
    summary += "; files " + ", ".join(f"{n}={_short(c)}" for n, _f, c in files)
    return Body(b"".join(parts), f"multipart/form-data; boundary={boundary}", summary)


FALLBACK_NAMES = ["revision", "action", "to", "id", "value", "unit", "title", "csrf_token"]


def bodies(names: list[str], file_names: list[str]) -> st.SearchStrategy[Body]:
    """Bodies for a form: every real field name with a hostile value (a body of benign
    values could be a valid request), maybe unknown and repeated keys besides; the same
    as multipart with random files; JSON; raw bytes; nothing."""
    keys = names or FALLBACK_NAMES
    extra_key = st.one_of(st.sampled_from(keys), st.text(min_size=1, max_size=20))

    def pairs_for(values: list[bytes], extra: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        return list(zip(keys, values, strict=True)) + extra

    all_fields = st.builds(
        pairs_for,
        st.lists(hostile_bytes(), min_size=len(keys), max_size=len(keys)),
        st.lists(st.tuples(extra_key, hostile_bytes()), max_size=3),
    )
    form = all_fields.map(_urlencoded)
    files = st.lists(
        st.tuples(
            st.sampled_from(file_names or ["file"]),
            st.one_of(st.just(b"data.xlsx"), st.binary(max_size=20), st.sampled_from(BAD_UTF8)),
            st.one_of(
                st.binary(max_size=2000),
                st.just(b"PK\x03\x04" + b"\x00" * 200),
                st.just(b"\x00" * 300_000),
            ),
        ),
        min_size=1,
        max_size=2,
    )
    multipart = st.builds(_multipart, all_fields, files)
    json_body = st.one_of(
        deep_json_text(),
        st.builds(
            lambda values: json.dumps(dict(zip(keys, values, strict=True)), allow_nan=True),
            st.lists(hostile_json_value(), min_size=len(keys), max_size=len(keys)),
        ),
    ).map(lambda text: Body(text.encode(), "application/json", f"json {text[:60]!r}"))
    raw = st.tuples(
        st.binary(max_size=200),
        st.sampled_from(
            [
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "text/plain",
                "application/json; charset=koi8-r",
            ]
        ),
    ).map(lambda pair: Body(pair[0], pair[1], f"raw {pair[1]} {_short(pair[0])}"))
    empty = st.just(Body(b"", None, "empty"))
    return st.one_of(form, multipart, json_body, raw, empty)
