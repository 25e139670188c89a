"""Plain-Python transport to QuickBooks Online: no Odoo import, unit-testable alone."""
from .client import Endpoints, api_client, auth_client, endpoints_for
from .errors import (QboAuthError, QboClientError, QboError, QboForbiddenError, QboGrantError, QboThrottled,
                     QboTransientError, QboValidationError, classify_auth_error, classify_api_error)
