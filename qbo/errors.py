"""Typed errors for what QuickBooks Online and Intuit's OAuth server answer.

python-quickbooks raises its own exceptions with the status only inside the
message for lowercase gateway faults; intuitlib raises AuthClientError with the
raw body. Both are turned into one hierarchy here, keeping Intuit's code,
message, detail and intuit_tid so a person can act on them.
"""
import json
import re


class QboError(Exception):
    """A QuickBooks call that did not succeed."""

    retryable = False

    def __init__(self, message, code="", detail="", status=None, intuit_tid=""):
        super().__init__(message)
        self.message = message
        self.code = str(code or "")
        self.detail = detail or ""
        self.status = status
        self.intuit_tid = intuit_tid or ""

    def describe(self):
        parts = [self.message]
        if self.detail and self.detail != self.message:
            parts.append(self.detail)
        if self.code:
            parts.append("(code %s)" % self.code)
        return " ".join(parts)


class QboAuthError(QboError):
    """401/3200: the access token is missing, expired or revoked."""


class QboForbiddenError(QboError):
    """403/3100: the app is not authorised for this company."""


class QboGrantError(QboError):
    """invalid_grant: the refresh token is expired, revoked or superseded. Only a new OAuth fixes it."""


class QboClientError(QboError):
    """invalid_client: the app's client ID or secret is wrong."""


class QboThrottled(QboError):
    """429/3001: Intuit asks to wait (60 s)."""

    retryable = True


class QboTransientError(QboError):
    """5xx, connection reset, timeout: worth retrying later."""

    retryable = True


class QboValidationError(QboError):
    """A business or validation fault: retrying the same payload will fail again."""


_STATUS_IN_MESSAGE = re.compile(r"status code '(\d{3})'")


def classify_api_error(exc, status=None, intuit_tid=""):
    """Map a python-quickbooks or requests exception to a QboError.

    python-quickbooks reports an answer it could not read as a Fault with the
    code 10000; that code is its own, so a 5xx keeps only a code Intuit's body
    carried, or none.
    """
    import requests
    from quickbooks import exceptions as qb_exc
    if isinstance(exc, QboError):
        return exc
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
        return QboTransientError("QuickBooks Online did not answer: %s" % type(exc).__name__,
                                 detail=str(exc), intuit_tid=intuit_tid)
    if not isinstance(exc, qb_exc.QuickbooksException):
        raise exc
    message = exc.message or ""
    detail = exc.detail or ""
    match = _STATUS_IN_MESSAGE.search(message)
    status = status or (int(match.group(1)) if match else None)
    unreadable = message.startswith(_LIBRARY_MESSAGES)
    code = _gateway_code(message + " " + detail) if unreadable else str(exc.error_code or "")
    if isinstance(exc, qb_exc.AuthorizationException) and str(exc.error_code) == "401":
        status, code = 401, code if code != "401" else ""
    if status == 401 or code == "3200":
        return QboAuthError("QuickBooks Online refused the access token.", code or 3200, detail, 401, intuit_tid)
    if status == 429 or code == "3001" or "ThrottleExceeded" in message:
        return QboThrottled("QuickBooks Online is throttling requests for this company.", 3001, detail,
                            429, intuit_tid)
    if status and status >= 500:
        # Intuit's gateway has answered 500 with code 3100 (an unauthorised app), which tells the wrong story:
        # a 5xx keeps only a code that belongs to a server error.
        code = "" if code == "3100" else code
        return QboTransientError("QuickBooks Online had a temporary problem (HTTP %s)." % status, code,
                                 _body_text(message) if unreadable else detail, status, intuit_tid)
    if status == 403 or code == "3100":
        return QboForbiddenError("QuickBooks Online refused access to this company.", code or 3100, detail,
                                 403, intuit_tid)
    if code == "10000" and not unreadable:
        return QboTransientError("QuickBooks Online had a temporary problem.", code, detail, status, intuit_tid)
    if unreadable:
        return QboTransientError("QuickBooks Online sent an answer that could not be read.", code,
                                 _body_text(message), status, intuit_tid)
    return QboValidationError(message, code, detail, status or 400, intuit_tid)


_LIBRARY_MESSAGES = ("Error returned with status code", "Error reading json response")


def _body_text(message):
    """The body python-quickbooks quoted in its message, shortened for a person to read."""
    body = message.split(": ", 1)[1] if ": " in message else message
    match = re.search(r'"(?:message|Message)"\s*:\s*"([^"]*)"', body)
    return (match.group(1) if match else body)[:300]


def _gateway_code(text):
    match = re.search(r'"code"\s*:\s*"(\d+)"', text)
    return match.group(1) if match else ""


def classify_auth_error(exc):
    """Map intuitlib's AuthClientError (or a transport error) to a QboError."""
    import requests
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
        return QboTransientError("Intuit's sign-in service did not answer: %s" % type(exc).__name__,
                                 detail=str(exc))
    status = getattr(exc, "status_code", None)
    tid = getattr(exc, "intuit_tid", "") or ""
    try:
        body = json.loads(getattr(exc, "content", b"") or b"{}")
    except ValueError:
        body = {}
    error = body.get("error", "") if isinstance(body, dict) else ""
    description = body.get("error_description", "") if isinstance(body, dict) else ""
    if error == "invalid_grant":
        return QboGrantError("Intuit no longer accepts this connection's refresh token.", error, description,
                             status, tid)
    if error == "invalid_client" or status == 401:
        return QboClientError("Intuit rejected the app's client ID or secret.", error or status, description,
                              status, tid)
    if status and status >= 500:
        return QboTransientError("Intuit's sign-in service had a temporary problem.", error or status,
                                 description, status, tid)
    return QboValidationError("Intuit refused the request: %s" % (error or status), error or status,
                              description, status, tid)
