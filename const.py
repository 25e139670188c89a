"""Constants shared by the addon's models and controllers."""

CONFIG_CLIENT_ID = "account_quickbooks_online.client_id"
CONFIG_CLIENT_SECRET = "account_quickbooks_online.client_secret"

CALLBACK_PATH = "/qbo/oauth/callback"
SCOPES = ["com.intuit.quickbooks.accounting"]

# An access token is refreshed this long before it expires (Intuit: 60 minutes of life).
ACCESS_TOKEN_MARGIN_SECONDS = 300
# The cron refreshes access tokens expiring within this window, so they never lapse.
CRON_REFRESH_WINDOW_SECONDS = 35 * 60
# Warn this long before the refresh token (and so the connection) ends.
REFRESH_TOKEN_WARNING_DAYS = 30
# A Connect link is valid this long.
OAUTH_STATE_TTL_SECONDS = 600
HTTP_TIMEOUT = 30
