from odoo import api, fields, models

# "To confirm" and "Not needed yet" are the account mapping's (qbo_account_mapping.py): a suggestion nobody
# confirmed, and an account nothing a sync sends uses.
MAPPING_STATES = [("mapped", "Mapped"), ("suggested", "To confirm"), ("ambiguous", "Ambiguous"),
                  ("missing", "Missing"), ("unneeded", "Not needed yet")]
METHODS = [("code", "By code"), ("name", "By name"), ("similar", "By similar name"), ("type", "By type"),
           ("rate", "By rate"), ("days", "By due days"), ("account", "By default account"),
           ("created", "Created in QuickBooks"), ("manual", "Manual")]
# A mapping someone chose (or that we created in QuickBooks) is never replaced by a proposal.
KEPT_METHODS = ("manual", "created")


class QboMappingMixin(models.AbstractModel):
    """What every Odoo ↔ QuickBooks mapping row has: its connection, state and how it was found.

    Proposals write with the context key ``qbo_proposal``; any other change of
    the QuickBooks side is a person's choice and marks the row Manual.
    """

    _name = "qbo.mapping.mixin"
    _description = "QuickBooks Online mapping"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    state = fields.Selection(MAPPING_STATES, compute="_compute_state", store=True, index=True,
                             help="Mapped: ready to sync. To confirm: a suggestion (similar name, or the only "
                                  "account of its type) used by nothing until confirmed. Ambiguous: several "
                                  "QuickBooks candidates; pick one. Missing: no QuickBooks counterpart found; pick or "
                                  "create one. Not needed yet: nothing a sync sends uses this account.")
    method = fields.Selection(METHODS, "Found", readonly=True,
                              help="How the QuickBooks side was chosen. Manual and created mappings are never "
                                   "replaced when mappings are proposed again.")
    candidate_count = fields.Integer("Candidates", readonly=True,
                                     help="How many QuickBooks entries the last proposal found.")
    note = fields.Char(readonly=True, help="Why the proposal chose this, or why it could not.")

    def _qbo_is_mapped(self):
        raise NotImplementedError

    def _compute_state(self):
        for row in self:
            if row._qbo_is_mapped():
                row.state = "mapped"
            else:
                row.state = "ambiguous" if row.candidate_count > 1 else "missing"

    @api.model
    def _qbo_target_fields(self):
        """The fields holding the QuickBooks side; a person changing them makes the row Manual."""
        return set()

    def write(self, vals):
        if not self.env.context.get("qbo_proposal") and self._qbo_target_fields() & set(vals) \
                and "method" not in vals:
            vals = dict(vals, method="manual", note=False)
        return super().write(vals)

    @api.model
    def _qbo_rows(self, connection, field, records, domain=()):
        """The existing rows of ``records`` (within ``domain``), creating the absent ones (one create for all)."""
        rows = self.search([("connection_id", "=", connection.id), (field, "in", records.ids)] + list(domain))
        have = set(rows.mapped(field + ".id"))
        rows |= self.create([{"connection_id": connection.id, field: record.id}
                             for record in records if record.id not in have])
        return rows

    @api.model
    def _qbo_pick(self, candidates, method, what):
        """(target, method, candidate_count, note) for a list of candidates found one way."""
        if len(candidates) == 1:
            return candidates[0], method, 1, False
        return False, False, len(candidates), what
