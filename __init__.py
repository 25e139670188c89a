# Odoo imports this directory as odoo.addons.account_quickbooks_online. The emulator's test
# suite runs without Odoo and reaches it as a plain package: the Odoo parts stay unloaded then.
if __name__.startswith("odoo.addons."):
    from . import controllers
    from . import models
    from . import wizards


def _qbo_post_init(env):
    env["qbo.connection"]._qbo_ensure_for_companies()
