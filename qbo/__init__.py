"""Plain-Python transport to QuickBooks Online: no Odoo import, unit-testable alone."""
from .api import BATCH_SIZE, QboApi
from .client import Answer, Endpoints, api_client, auth_client, endpoints_for, send
from .errors import (QboAuthError, QboClientError, QboError, QboForbiddenError, QboGrantError, QboThrottled,
                     QboTransientError, QboValidationError, classify_auth_error, classify_api_error)
from .paging import PAGE_SIZE, quote, quote_list
