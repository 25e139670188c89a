from odoo import _, api, fields, models

MAX_LOG_LINES = 500   # enough to act on; the counters stay exact beyond it


class QboImportRunStep(models.Model):
    """One list of an initial import (Customers, Vendors, Products, ...) and how far it got.

    ``position`` is the STARTPOSITION of the next page: it is saved with the
    page's records, so a run that stops resumes after the last saved page.
    """

    _name = "qbo.import.run.step"
    _description = "QuickBooks Online import step"
    _order = "run_id, sequence, id"

    run_id = fields.Many2one("qbo.import.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    entity = fields.Char("QuickBooks type", required=True)
    res_model = fields.Char("Odoo model", help="The Odoo model the rows become.")
    name = fields.Char(required=True)
    state = fields.Selection([("todo", "To do"), ("done", "Done")], default="todo", required=True)
    position = fields.Integer(default=1, help="Where the next page starts in the QuickBooks list (1-based).")
    pages = fields.Integer("Pages read")
    linked_count = fields.Integer("Linked", help="Matched to an Odoo record that existed already.")
    created_count = fields.Integer("Created")
    skipped_count = fields.Integer("Skipped")
    error_count = fields.Integer("Errors")
    skip_reasons = fields.Json(default=dict, help="How many were skipped, per reason.")
    imported_ahead = fields.Json(default=list,
                                 help="QuickBooks Ids imported before their page, e.g. the parent of a sub-customer.")
    log = fields.Text(help="What was skipped or failed, and why.")
    reasons_text = fields.Char("Skipped because", compute="_compute_reasons_text")

    @api.depends("skip_reasons")
    def _compute_reasons_text(self):
        for step in self:
            step.reasons_text = ", ".join("%s: %s" % (reason, count)
                                          for reason, count in sorted((step.skip_reasons or {}).items()))

    def _qbo_note(self, row, text):
        lines = (self.log or "").splitlines()
        if len(lines) < MAX_LOG_LINES:
            label = row.get("DisplayName") or row.get("FullyQualifiedName") or row.get("Name") or "?"
            lines.append("%s (QuickBooks Id %s): %s" % (label, row.get("Id"), text))
            self.log = "\n".join(lines)

    def _qbo_skip(self, row, reason, quiet=False):
        reasons = dict(self.skip_reasons or {})
        reasons[reason] = reasons.get(reason, 0) + 1
        self.write({"skipped_count": self.skipped_count + 1, "skip_reasons": reasons})
        if not quiet:
            self._qbo_note(row, _("skipped: %s", reason))

    def _qbo_error(self, row, message):
        self.error_count += 1
        self._qbo_note(row, _("error: %s", message))
