from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import qbo

INLINE_PAGES = 4   # pages imported while the user waits; a larger company goes on in the background


class QboInitialImport(models.TransientModel):
    """Bring a QuickBooks company's customers, vendors and products into Odoo once, at the start.

    The work is done by a ``qbo.import.run``, which keeps its progress: an
    import that stops (an error, a timeout) resumes from its last saved page
    when started again, and never creates anything twice.
    """

    _name = "qbo.initial.import"
    _description = "QuickBooks Online initial import"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade",
                                    default=lambda self: self._default_connection())
    company_id = fields.Many2one(related="connection_id.company_id")
    include_inactive = fields.Boolean(
        "Include inactive records",
        help="Also bring records made inactive in QuickBooks, as archived Odoo records. Otherwise they are "
             "skipped and counted as such.")
    in_background = fields.Boolean(
        "Run in the background",
        help="For large QuickBooks companies: the scheduled action imports a page of 1,000 records at a time "
             "and saves after each, so you can keep working. Follow it in QuickBooks Online → Imports.")
    run_id = fields.Many2one("qbo.import.run", readonly=True)
    resumable_run_id = fields.Many2one("qbo.import.run", compute="_compute_resumable_run_id")
    step_ids = fields.One2many(related="run_id.step_ids")
    run_state = fields.Selection(related="run_id.state")
    note = fields.Char(readonly=True)

    @api.model
    def _default_connection(self):
        if self.env.context.get("active_model") == "qbo.connection" and self.env.context.get("active_id"):
            return self.env.context["active_id"]
        return self.env["qbo.connection"].search([("company_id", "=", self.env.company.id)], limit=1).id

    @api.depends("connection_id")
    def _compute_resumable_run_id(self):
        for wizard in self:
            wizard.resumable_run_id = self.env["qbo.import.run"].search([
                ("connection_id", "=", wizard.connection_id.id), ("state", "=", "running")], limit=1)

    def action_import(self):
        self.ensure_one()
        connection = self.connection_id
        connection._qbo_check_manager()
        if connection.state != "connected":
            raise UserError(connection._qbo_not_connected_message())
        # A QuickBooks manager (checked above) imports for the whole company: creating the partners and
        # products must not depend on the contact or product rights of whoever clicks.
        run = self.env["qbo.import.run"].sudo()._qbo_start(
            connection.sudo(), include_inactive=self.include_inactive, in_background=self.in_background)
        self.run_id = run
        if self.in_background:
            self.env.ref("account_quickbooks_online.ir_cron_qbo_import")._trigger()
            return connection._qbo_toast(_("Import started"), _(
                "The import runs in the background, a page of 1,000 records at a time. Follow it in "
                "QuickBooks Online → Imports."), "info")
        try:
            more = run._qbo_run(page_limit=INLINE_PAGES)
        except qbo.QboError as error:
            raise UserError(connection._qbo_error_message(error))
        if more:
            # What was imported so far is saved with this request; the scheduled action does the rest.
            run.in_background = True
            self.env.ref("account_quickbooks_online.ir_cron_qbo_import")._trigger()
            self.note = _("This QuickBooks company is large: the import goes on in the background, a page of "
                          "1,000 records at a time. Follow it in QuickBooks Online → Imports.")
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "new", "name": _("Import from QuickBooks")}
