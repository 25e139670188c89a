from . import qbo_connection_reset
from . import qbo_partner_match
from . import qbo_bulk_action
from . import qbo_initial_import
from . import qbo_initial_import_line
