from odoo import _, api, fields, models

from .qbo_mapping_mixin import KEPT_METHODS


class QboTermMapping(models.Model):
    """Odoo payment terms ↔ QuickBooks Terms, used both ways: a term on an Odoo invoice becomes the
    document's SalesTermRef, and a QuickBooks invoice's term becomes the Odoo payment term."""

    _name = "qbo.term.mapping"
    _inherit = ["qbo.mapping.mixin"]
    _description = "QuickBooks Online payment term mapping"
    _order = "payment_term_id"

    payment_term_id = fields.Many2one("account.payment.term", "Odoo payment term", required=True,
                                      ondelete="cascade", index=True)
    qbo_term_id = fields.Many2one(
        "qbo.list.item", "QuickBooks term", ondelete="restrict", index=True,
        domain="[('connection_id', '=', connection_id), ('list_type', '=', 'term')]",
        help="The QuickBooks term sent with documents using this payment term, and read back as it.")

    _sql_constraints = [("term_unique", "unique(connection_id, payment_term_id)",
                         "This payment term already has a mapping for this QuickBooks company.")]

    @api.depends("qbo_term_id", "candidate_count")
    def _compute_state(self):
        return super()._compute_state()

    def _qbo_is_mapped(self):
        return bool(self.qbo_term_id)

    @api.model
    def _qbo_target_fields(self):
        return {"qbo_term_id"}

    @api.model
    def _qbo_single_due_days(self, term):
        """Days until due of a term paying everything at once after N days, else None."""
        lines = term.line_ids
        if len(lines) != 1 or lines.value != "percent" or lines.value_amount != 100 or \
                lines.delay_type != "days_after" or term.early_discount:
            return None
        return lines.nb_days

    @api.model
    def _qbo_propose(self, connection):
        """By exact name, then by due days where exactly one QuickBooks term fits."""
        Term = self.env["account.payment.term"]
        terms = Term.search(Term._check_company_domain(connection.company_id))
        rows = self._qbo_rows(connection, "payment_term_id", terms)
        qbo_terms = self.env["qbo.list.item"].search([("connection_id", "=", connection.id),
                                                      ("list_type", "=", "term"), ("active", "=", True)])
        for row in rows:
            if row.method in KEPT_METHODS and row.qbo_term_id:
                continue
            term = row.payment_term_id
            name = (term.name or "").strip().casefold()
            named = qbo_terms.filtered(lambda qbo_term: qbo_term.name.strip().casefold() == name)
            if named:
                pick = self._qbo_pick(list(named), "name", _("Several QuickBooks terms are called %s.", term.name))
            else:
                days = self._qbo_single_due_days(term)
                # A term with an early payment discount is not "Net N days", whatever its due days.
                fitting = list(qbo_terms.filtered(lambda qbo_term: qbo_term.due_days == days
                                                  and not qbo_term.discount_percent)) if days is not None else []
                pick = self._qbo_pick(fitting, "days", _("%(count)s QuickBooks terms are due after %(days)s days: "
                                                         "pick one.", count=len(fitting), days=days)
                                      if fitting else _("No QuickBooks term of this name or due days."))
            target, method, count, note = pick
            row.with_context(qbo_proposal=True).write({"qbo_term_id": target.id if target else False,
                                                       "method": method, "candidate_count": count, "note": note})
        return rows

    @api.model
    def _qbo_term_ref(self, connection, term):
        if not term:
            return None
        row = self.search([("connection_id", "=", connection.id), ("payment_term_id", "=", term.id)], limit=1)
        return {"value": row.qbo_term_id.qbo_id, "name": row.qbo_term_id.name} if row.qbo_term_id else None

    @api.model
    def _qbo_term_from_ref(self, connection, ref):
        """The mapped Odoo term; failing that one of the same name; else an empty recordset."""
        Term = self.env["account.payment.term"]
        qbo_id = str((ref or {}).get("value") or "")
        if not qbo_id:
            return Term
        rows = self.search([("connection_id", "=", connection.id), ("qbo_term_id.qbo_id", "=", qbo_id)])
        if rows:
            # Several Odoo terms may send the same QuickBooks term; read back the one chosen most surely.
            rank = {"manual": 0, "name": 1, "days": 2}
            return rows.sorted(lambda row: (rank.get(row.method, 3), row.id))[:1].payment_term_id
        name = (ref.get("name") or self.env["qbo.list.item"].search([
            ("connection_id", "=", connection.id), ("list_type", "=", "term"), ("qbo_id", "=", qbo_id)],
            limit=1).name or "").strip()
        if not name:
            return Term
        return Term.search(Term._check_company_domain(connection.company_id) + [("name", "=ilike", name)], limit=1)
