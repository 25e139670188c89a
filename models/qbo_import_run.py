import logging
import time

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import qbo
from ..qbo import PAGE_SIZE

_logger = logging.getLogger(__name__)

CRON_BUDGET_SECONDS = 240   # one cron run imports pages for this long, then hands over to the next


class QboImportRun(models.Model):
    """An initial import of QuickBooks lists into Odoo: link what exists, create the rest.

    Each step reads its list a page (1,000 rows) at a time and saves its
    position with the page's records, so an interrupted run resumes where the
    last saved page ended. Rows already linked are skipped, so nothing is ever
    imported twice. Records are created with ``qbo_no_export`` so that nothing
    travels back to QuickBooks.

    Steps are the entity handlers with an import sequence; each handler links or
    creates the Odoo records of its rows (``_qbo_import_rows``).
    """

    _name = "qbo.import.run"
    _description = "QuickBooks Online initial import"
    _order = "id desc"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    state = fields.Selection([("running", "Running"), ("done", "Done"), ("cancelled", "Cancelled")],
                             default="running", required=True, index=True)
    in_background = fields.Boolean("In the background", help="Run by the scheduled action, a page per transaction.")
    include_inactive = fields.Boolean("Inactive records included",
                                      help="Also import records made inactive in QuickBooks, as archived.")
    create_accounts = fields.Boolean(
        "Accounts created in Odoo",
        help="QuickBooks accounts with no Odoo account of the same number or name were added to Odoo's chart. "
             "Otherwise they were left for the account mapping.")
    step_ids = fields.One2many("qbo.import.run.step", "run_id", string="Steps")
    last_error = fields.Text(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    linked_count = fields.Integer("Linked", compute="_compute_counts")
    created_count = fields.Integer("Created", compute="_compute_counts")
    skipped_count = fields.Integer("Skipped", compute="_compute_counts")
    error_count = fields.Integer("Errors", compute="_compute_counts")

    @api.depends("step_ids.linked_count", "step_ids.created_count", "step_ids.skipped_count",
                 "step_ids.error_count")
    def _compute_counts(self):
        for run in self:
            for name in ("linked_count", "created_count", "skipped_count", "error_count"):
                run[name] = sum(run.step_ids.mapped(name))

    @api.depends("connection_id", "create_date")
    def _compute_display_name(self):
        for run in self:
            run.display_name = _("Import into %(company)s of %(date)s", company=run.company_id.name or "",
                                 date=fields.Datetime.to_string(run.create_date) if run.create_date else "")

    # ------------------------------------------------------------------ steps
    @api.model
    def _qbo_import_steps(self):
        """The handlers an import reads, in order: lists others refer to first (items name their accounts)."""
        handlers = [handler for handler in self.env["qbo.handler"]._qbo_all() if handler._qbo_import_sequence]
        return sorted(handlers, key=lambda handler: handler._qbo_import_sequence)

    @api.model
    def _qbo_start(self, connection, include_inactive=False, in_background=False, create_accounts=False):
        """The connection's unfinished import, or a new one: one import at a time per company. An unfinished
        one goes on with the choices it was started with."""
        run = self.search([("connection_id", "=", connection.id), ("state", "=", "running")], limit=1)
        if run:
            run.write({"in_background": in_background})
            return run
        return self.create({
            "connection_id": connection.id, "include_inactive": include_inactive, "in_background": in_background,
            "create_accounts": create_accounts,
            "step_ids": [fields.Command.create({"entity": handler._qbo_entity, "res_model": handler._qbo_model,
                                                "name": handler._description, "sequence": position})
                         for position, handler in enumerate(self._qbo_import_steps())],
        })

    # ------------------------------------------------------------------ running
    def _qbo_run(self, page_limit=None):
        """Import pages until done (or ``page_limit`` pages). True if work remains. Commits nothing."""
        self.ensure_one()
        pages = 0
        while page_limit is None or pages < page_limit:
            if not self._qbo_run_page():
                return False
            pages += 1
        return self.state == "running"

    def _qbo_run_page(self):
        """Import the next page of the current step. False when the run is finished."""
        self.ensure_one()
        if self.state != "running":
            return False
        step = self.step_ids.filtered(lambda s: s.state == "todo")[:1]
        if not step:
            self._qbo_finish()
            return False
        handler = self.env["qbo.handler"]._qbo_get(step.entity, step.res_model)
        where, order = handler._qbo_import_where()
        rows = self.connection_id._qbo_api().query_page(step.entity, where, step.position, PAGE_SIZE, order=order)
        handler._qbo_import_rows(self, step, rows)
        step.write({"position": step.position + len(rows), "pages": step.pages + 1,
                    "state": "done" if len(rows) < PAGE_SIZE else "todo"})
        self.last_error = False
        if not self.step_ids.filtered(lambda s: s.state == "todo"):
            self._qbo_finish()
        return True

    def _qbo_finish(self):
        self.write({"state": "done", "finished_at": fields.Datetime.now(), "last_error": False})

    @api.model
    def _cron_qbo_import(self):
        """Background imports: a page per transaction, committed, so a stop loses one page at most."""
        deadline = time.monotonic() + CRON_BUDGET_SECONDS
        remaining = False
        for run in self.sudo().search([("state", "=", "running"), ("in_background", "=", True)]):
            while time.monotonic() < deadline:
                try:
                    more = run._qbo_run_page()
                except Exception as error:   # this company's import waits; the others go on
                    self.env.cr.rollback()
                    self.env.invalidate_all()
                    expected = isinstance(error, (UserError, qbo.QboError))
                    run.last_error = str(error) if expected else _("The import stopped: %s", repr(error))
                    self.env.cr.commit()
                    _logger.log(logging.INFO if expected else logging.ERROR, "QuickBooks import %s paused: %s",
                                run.id, error, exc_info=not expected)
                    break
                self.env.cr.commit()
                if not more or run.state != "running":
                    break
            remaining |= run.state == "running" and not run.last_error
        if remaining:
            self.env.ref("account_quickbooks_online.ir_cron_qbo_import")._trigger()

    def action_qbo_cancel(self):
        self.filtered(lambda run: run.state == "running").write({"state": "cancelled"})
        return True

    def action_qbo_resume(self):
        """Go on with an import that stopped (an error, a timeout) from its last saved page."""
        self.ensure_one()
        self.connection_id._qbo_check_manager()
        if self.state != "running":
            raise UserError(_("This import is %s; start a new one from the import wizard.",
                              dict(self._fields["state"].selection)[self.state]))
        self.sudo()._qbo_run()   # as the wizard: the manager's own contact or product rights do not matter
        return True

    # ------------------------------------------------------------------ helpers
    def _qbo_bound(self, entity, qbo_ids, res_model):
        bindings = self.env["qbo.binding"].search([
            ("connection_id", "=", self.connection_id.id), ("qbo_entity", "=", entity),
            ("res_model", "=", res_model), ("qbo_id", "in", list(qbo_ids))])
        return {binding.qbo_id: binding for binding in bindings}

    def _qbo_digest(self, record, entity):
        """What Odoo would send for ``record``, hashed: equal to QuickBooks right after an import, so an
        unchanged record is not sent back. False when the payload cannot be built yet (an account or tax not
        mapped before the import): the record is then sent once, at its next change."""
        try:
            payload = self.env["qbo.handler"]._qbo_get(entity, record._name)._qbo_to_qbo(self.connection_id, record)
        except UserError:
            return False
        return self.env["qbo.sync.job"]._qbo_digest(payload)

    def _qbo_first_pass(self, step, rows, entity, res_model):
        """Rows still to import: the others are counted as skipped, with their reason."""
        bound = self._qbo_bound(entity, [row["Id"] for row in rows], res_model)
        ahead = set(step.imported_ahead or [])
        todo = []
        for row in rows:
            if row["Id"] in ahead:
                continue   # imported with a sub-customer on an earlier page, already counted
            if row["Id"] in bound:
                step._qbo_skip(row, _("already linked"), quiet=True)
            elif row.get("Active") is False and not self.include_inactive:
                step._qbo_skip(row, _("inactive in QuickBooks"))
            else:
                todo.append(row)
        return todo
