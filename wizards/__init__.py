from . import qbo_connection_reset
