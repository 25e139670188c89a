from . import controllers
from . import models
from . import wizards


def _qbo_post_init(env):
    env["qbo.connection"]._qbo_ensure_for_companies()
