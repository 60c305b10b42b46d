"""The service's one error type: an HTTP status, a stable machine code and a polite Chinese message."""

from __future__ import annotations


class ApiError(Exception):
    """Raised by handlers; rendered as {"error": code, "message": 中文, ...extra} with `status`."""

    def __init__(
        self, status: int, error: str, message: str, retry_after: int | None = None, **extra
    ) -> None:
        super().__init__(f"{status} {error}")
        self.status, self.error, self.message = status, error, message
        self.retry_after = retry_after
        self.extra = extra

    def body(self) -> dict:
        body = {"error": self.error, "message": self.message, **self.extra}
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after
        return body


MISMATCH = "信息不匹配，无法验证您的身份。请核对案号、姓名和证件号码，或到法院诉讼服务中心现场办理。"


def bad_request(message: str, error: str = "bad_request") -> ApiError:
    return ApiError(400, error, message)


def not_found_case() -> ApiError:
    return ApiError(404, "case_not_found", "未找到该案号对应的案件，请核对案号。")


def mismatch() -> ApiError:
    return ApiError(403, "mismatch", MISMATCH)
