"""The sweep engine's user-facing error."""


class SweepError(Exception):
    """A sweep cannot start or go on; the message says why and what to do."""
