"""Input errors: what a person did wrong, with a stable code and a Japanese message they can act on."""


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
