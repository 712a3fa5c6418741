"""One error tree for every channel, with the retry decision on the error.

SMTP 4xx and HTTP 429/5xx (and lost connections) are transient; SMTP 5xx and
HTTP 4xx are permanent and go to the dead-letter topic.
"""


class ChannelError(Exception):
    def __init__(self, message: str, *, retriable: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.retriable = retriable
        self.code = code


class TransientError(ChannelError):
    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message, retriable=True, code=code)


class PermanentError(ChannelError):
    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message, retriable=False, code=code)


def smtp_code_error(code: int, message: str) -> ChannelError:
    if 400 <= code < 500:
        return TransientError(f"SMTP {code}: {message}", code=code)
    return PermanentError(f"SMTP {code}: {message}", code=code)
