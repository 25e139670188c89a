from . import qbo_record_mixin
from . import qbo_binding
from . import qbo_connection
from . import qbo_rate_bucket
from . import qbo_sync_job
from . import res_partner
from . import res_company
from . import res_config_settings
