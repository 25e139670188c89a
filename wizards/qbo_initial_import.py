from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import qbo

INLINE_PAGES = 4   # pages imported while the user waits; a larger company goes on in the background
PREVIEW_PAGES = INLINE_PAGES   # pages the preview reads: a larger company is previewed on its first pages


class _PreviewDone(Exception):
    """Leaves the preview's savepoint, rolling back everything the dry run wrote."""


class QboInitialImport(models.TransientModel):
    """Bring a QuickBooks company's accounts, customers, vendors and products into Odoo once, at the start.

    The work is done by a ``qbo.import.run``, which keeps its progress: an
    import that stops (an error, a timeout) resumes from its last saved page
    when started again, and never creates anything twice. Preview runs that
    same import in a savepoint and rolls it back, so its counts are exactly
    what Import will do, and nothing is written before Import.
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
    account_policy = fields.Selection(
        [("map", "Map to existing Odoo accounts only"), ("create", "Also create the missing ones in Odoo's chart")],
        string="QuickBooks accounts", default="map", required=True,
        help="Map only: each QuickBooks account is linked to the Odoo account with the same number or name; the "
             "others are left for the account mapping, and Odoo's chart is not changed. Also create: QuickBooks "
             "accounts with no such Odoo account are added to Odoo's chart, coded by their QuickBooks number (e.g. "
             "1010) or QBO and their Id.")
    preview_line_ids = fields.One2many("qbo.initial.import.line", "wizard_id", string="Preview", readonly=True,
                                       help="What Import will link, create and skip, list by list.")
    previewed = fields.Boolean(readonly=True, help="The preview matches the choices above.")
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

    @api.onchange("connection_id", "include_inactive", "account_policy")
    def _onchange_clear_preview(self):
        # A preview says what these choices do; other choices need another preview.
        self.preview_line_ids = [fields.Command.clear()]
        self.previewed = False

    def _qbo_check_can_import(self):
        connection = self.connection_id
        connection._qbo_check_manager()
        if connection.state != "connected":
            raise UserError(connection._qbo_not_connected_message())
        return connection

    def _qbo_start_run(self):
        # A QuickBooks manager (checked before) imports for the whole company: creating the partners and
        # products must not depend on the contact or product rights of whoever clicks.
        return self.env["qbo.import.run"].sudo()._qbo_start(
            self.connection_id.sudo(), include_inactive=self.include_inactive, in_background=self.in_background,
            create_accounts=self.account_policy == "create")

    def action_preview(self):
        """Count what Import would link, create and skip, list by list, writing nothing.

        The import itself runs on the first pages, inside a savepoint that is then
        rolled back: the counts come from the very code Import runs (the matching
        policy, the account choice, what is already linked), not from a copy of it.
        """
        self.ensure_one()
        self._qbo_check_can_import()
        lines = []
        try:
            with self.env.cr.savepoint():
                run = self._qbo_start_run()
                before = {step.id: (step.linked_count, step.created_count, step.skipped_count, step.error_count)
                          for step in run.step_ids}
                run._qbo_run(page_limit=PREVIEW_PAGES)
                for position, step in enumerate(run.step_ids):
                    linked, created, skipped, errors = before[step.id]
                    lines.append({"sequence": position, "name": self._qbo_list_label(step),
                                  "to_link": step.linked_count - linked, "to_create": step.created_count - created,
                                  "to_skip": step.skipped_count - skipped, "errors": step.error_count - errors,
                                  "reasons": step.reasons_text or False, "complete": step.state == "done"})
                raise _PreviewDone()
        except _PreviewDone:
            pass
        except qbo.QboError as error:
            raise UserError(self.connection_id._qbo_error_message(error))
        self.env.invalidate_all()   # the rolled-back records may linger in the cache
        self.write({"preview_line_ids": [fields.Command.clear()] + [fields.Command.create(line) for line in lines],
                    "previewed": True})
        return self._qbo_reopen()

    @api.model
    def _qbo_list_label(self, step):
        return {"Account": _("Accounts"), "Customer": _("Customers"), "Vendor": _("Vendors"),
                "Item": _("Products (items)")}.get(step.entity, step.name)

    def _qbo_reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "new", "name": _("Import from QuickBooks")}

    def action_import(self):
        self.ensure_one()
        connection = self._qbo_check_can_import()
        run = self._qbo_start_run()
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
        return self._qbo_reopen()
