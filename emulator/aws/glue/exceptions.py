"""The errors Glue's API answers with, declared once as data: the exception name clients see
(``__type``, botocore's ``Error.Code``) and its HTTP status, as AWS's Glue API reference lists them."""

from __future__ import annotations

GLUE_ERRORS: dict[str, int] = {
    "AlreadyExistsException": 400,
    "ConcurrentRunsExceededException": 400,
    "EntityNotFoundException": 400,
    "InternalServiceException": 500,
    "InvalidInputException": 400,
    "OperationTimeoutException": 400,
    "ResourceNumberLimitExceededException": 400,
    "SerializationException": 400,  # the JSON protocol's answer to a body that is not JSON
}


class GlueError(Exception):
    """An error Glue's API returns: ``code`` is the exception name clients see."""

    def __init__(self, code: str, message: str) -> None:
        if code not in GLUE_ERRORS:
            raise ValueError(f"{code!r} is not one of Glue's error types: {sorted(GLUE_ERRORS)}")
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return GLUE_ERRORS[self.code]

    def as_body(self) -> dict[str, str]:
        return {"__type": self.code, "message": self.message}


def invalid_input(message: str) -> GlueError:
    return GlueError("InvalidInputException", message)


def not_found(message: str) -> GlueError:
    return GlueError("EntityNotFoundException", message)
