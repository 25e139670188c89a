from odoo import api, fields, models

from .. import const


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    qbo_client_id = fields.Char("QuickBooks Client ID", config_parameter=const.CONFIG_CLIENT_ID,
                                help="The Client ID of your app on developer.intuit.com (Keys & credentials).")
    qbo_client_secret = fields.Char("QuickBooks Client Secret", config_parameter=const.CONFIG_CLIENT_SECRET,
                                    groups="base.group_system",
                                    help="The Client Secret of the same app. Only system administrators can read it.")
    qbo_redirect_uri = fields.Char("Redirect URI", compute="_compute_qbo_redirect_uri",
                                   help="Register this exact URI in your Intuit app's Redirect URIs.")
    qbo_connection_ids = fields.Many2many("qbo.connection", string="QuickBooks Online connections",
                                          compute="_compute_qbo_connection_ids")

    @api.depends("company_id")
    def _compute_qbo_redirect_uri(self):
        for settings in self:
            settings.qbo_redirect_uri = self.env["qbo.connection"]._qbo_redirect_uri()

    @api.depends("company_id")
    def _compute_qbo_connection_ids(self):
        connections = self.env["qbo.connection"].search([("company_id", "in", self.env.user.company_ids.ids)])
        for settings in self:
            settings.qbo_connection_ids = connections
