from . import test_qbo_connection_oauth
from . import test_qbo_connection_tokens
from . import test_qbo_connection_security
from . import test_qbo_connection_concurrency
from . import test_qbo_sync_engine
from . import test_qbo_rate_bucket
from . import test_qbo_lists
from . import test_qbo_mappings
