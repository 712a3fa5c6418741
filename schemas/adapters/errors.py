"""Errors of the input adapters."""


class AdapterError(ValueError):
    """The payload is not a shape we accept; `reason` is short and machine-friendly."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class IgnoredEvent(AdapterError):
    """A well-formed upstream event we deliberately do not act on (e.g. an Adyen CAPTURE).

    Callers count these as ignored rather than dead-lettering them.
    """
