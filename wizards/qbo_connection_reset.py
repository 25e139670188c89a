from odoo import _, api, fields, models
from odoo.exceptions import UserError


class QboConnectionReset(models.TransientModel):
    """Forget which QuickBooks company a connection belongs to, so another can be linked."""

    _name = "qbo.connection.reset"
    _description = "Reset QuickBooks Online links"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id")
    summary = fields.Html(compute="_compute_summary")

    @api.depends("connection_id")
    def _compute_summary(self):
        for wizard in self:
            connection = wizard.connection_id
            wizard.summary = _(
                "<p>%(company)s is linked to the QuickBooks company <b>%(name)s</b> (realm %(realm)s).</p>"
                "<p>Resetting forgets that link and every QuickBooks ID stored for this company, so that you can "
                "connect another QuickBooks company. Nothing is deleted, neither in Odoo nor in QuickBooks; records "
                "that were synchronised will be matched again, not duplicated blindly, if you reconnect.</p>",
                company=connection.company_id.name, name=connection.qbo_company_name or "?",
                realm=connection.realm_id or "?")

    def action_reset(self):
        self.ensure_one()
        connection = self.connection_id
        connection._qbo_check_manager()
        if connection.state == "connected":
            raise UserError(_("Disconnect %s from QuickBooks Online before resetting its links.",
                              connection.company_id.name))
        previous = connection.realm_id
        connection.sudo().write({"realm_id": False, "qbo_company_name": False, "qbo_country_code": False,
                                 "qbo_currency_code": False, "qbo_multicurrency": False,
                                 "qbo_automated_sales_tax": False, "warning_message": False, "state": "not_connected"})
        connection.sudo()._qbo_forget_lists()
        connection.message_post(body=_("Links to the QuickBooks company (realm %(realm)s) were reset by %(user)s.",
                                       realm=previous or "?", user=self.env.user.name))
        return {"type": "ir.actions.act_window_close"}
