from . import qbo_connection
from . import res_company
from . import res_config_settings
