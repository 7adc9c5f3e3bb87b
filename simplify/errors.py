"""Input errors: what a person did wrong, with a stable code and a Japanese message they can act on."""

import re

_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufeff]")


def shown(value: object, limit: int = 40) -> str:
    """A value from a request as an error message may echo it: control, bidi-override and lone-surrogate
    characters removed, and cut to ``limit`` characters."""
    text = _UNSHOWABLE.sub("", str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def has_surrogates(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


class InputError(Exception):
    """Bad input from a user (a file, a text, a request). Never an internal fault."""

    code = "bad_input"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class DecodeError(InputError):
    code = "undecodable"


class TooLargeError(InputError):
    code = "too_large"
    status = 413


class NotFoundError(InputError):
    code = "not_found"
    status = 404
