from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import qbo

ENTITIES = [("Customer", "Customer"), ("Vendor", "Vendor")]
MATCH_STATES = [("linked", "Already linked"), ("matched", "Matched"), ("ambiguous", "Ambiguous"), ("new", "New")]
CRITERIA = [("email", "Email"), ("name", "Name"), ("vat", "Tax ID")]


class QboPartnerMatch(models.TransientModel):
    """Pair Odoo partners with QuickBooks customers or vendors before anything is sent.

    Proposals follow the connection's matching policy; the accountant confirms
    them, picks another candidate or types a QuickBooks Id, or has the partner
    created in QuickBooks. Confirming only records the links: nothing is
    written to QuickBooks.
    """

    _name = "qbo.partner.match"
    _description = "Match partners with QuickBooks Online"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade",
                                    default=lambda self: self._default_connection())
    company_id = fields.Many2one(related="connection_id.company_id")
    entity = fields.Selection(ENTITIES, string="Match as", required=True, default="Customer",
                              help="Match the partners with QuickBooks customers or with QuickBooks vendors.")
    partner_ids = fields.Many2many("res.partner", string="Partners")
    line_ids = fields.One2many("qbo.partner.match.line", "wizard_id", string="Proposals")
    state = fields.Selection([("draft", "Choose"), ("proposed", "Review"), ("done", "Done")], default="draft",
                             required=True)
    summary = fields.Text(readonly=True)

    @api.model
    def _default_connection(self):
        return self.env["qbo.connection"].search([("company_id", "=", self.env.company.id)], limit=1).id

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_ids"):
            values["partner_ids"] = [fields.Command.set(context["active_ids"])]
            if context.get("res_partner_search_mode") == "supplier" and "default_entity" not in context:
                values["entity"] = "Vendor"   # opened from the Purchase → Vendors list
        elif context.get("active_model") == "qbo.connection" and context.get("active_id"):
            values["connection_id"] = context["active_id"]
        return values

    def _qbo_partners(self):
        """The chosen partners; from the connection, every customer (or vendor) of its company not linked yet."""
        if self.partner_ids:
            return self.partner_ids
        rank = "supplier_rank" if self.entity == "Vendor" else "customer_rank"
        linked = self.env["qbo.binding"].search([
            ("connection_id", "=", self.connection_id.id), ("res_model", "=", "res.partner"),
            ("qbo_entity", "=", self.entity), ("qbo_id", "!=", False)]).mapped("res_id")
        return self.env["res.partner"].search([
            (rank, ">", 0), ("id", "not in", linked),
            "|", ("company_id", "=", False), ("company_id", "=", self.connection_id.company_id.id)])

    def action_propose(self):
        """Read the QuickBooks list (a call per 1,000 records) and propose a match for every partner."""
        self.ensure_one()
        connection = self.connection_id
        connection._qbo_check_manager()
        partners = self._qbo_partners()
        if not partners:
            raise UserError(_("There is no partner to match: select partners in the list first, or give partners "
                              "a customer or vendor role."))
        try:
            results, rows = self.env["qbo.partner.matcher"]._qbo_match(connection, partners, self.entity)
        except qbo.QboError as error:
            raise UserError(connection._qbo_error_message(error))
        self.line_ids.unlink()
        lines = []
        for partner in partners:
            result = results[partner.id]
            candidates = [rows.get(qbo_id) or {"Id": qbo_id} for qbo_id in result["ids"]]
            decision = {"linked": "skip", "matched": "link", "ambiguous": "skip", "new": "create"}[result["state"]]
            lines.append({
                "partner_id": partner.id, "match_state": result["state"], "criterion": result["criterion"],
                "decision": decision,
                "candidate_ids": [fields.Command.create({
                    "wizard_id": self.id, "qbo_id": row["Id"], "name": row.get("DisplayName") or row["Id"],
                    "email": (row.get("PrimaryEmailAddr") or {}).get("Address"),
                    "sync_token": row.get("SyncToken")}) for row in candidates],
            })
        self.write({"state": "proposed", "line_ids": [fields.Command.create(values) for values in lines]})
        for line in self.line_ids:
            if line.match_state in ("matched", "linked"):
                line.candidate_id = line.candidate_ids[:1]
        return self._qbo_reopen()

    def action_confirm(self):
        """Link the confirmed lines (no QuickBooks write) and queue the ones to create in QuickBooks."""
        self.ensure_one()
        connection = self.connection_id
        connection._qbo_check_manager()
        to_link = self.line_ids.filtered(lambda line: line.decision == "link")
        missing = to_link.filtered(lambda line: not line.chosen_qbo_id)
        if missing:
            raise UserError(_("Choose a QuickBooks record (or type its Id) for %s, or skip it.",
                              ", ".join(missing.partner_id.mapped("display_name"))))
        chosen = {}
        for line in to_link:
            if line.chosen_qbo_id in chosen:
                raise UserError(_("%(first)s and %(second)s are both linked to the QuickBooks %(entity)s "
                                  "%(qbo_id)s; a QuickBooks record can be linked to one partner only.",
                                  first=chosen[line.chosen_qbo_id].partner_id.display_name,
                                  second=line.partner_id.display_name, entity=self.entity,
                                  qbo_id=line.chosen_qbo_id))
            chosen[line.chosen_qbo_id] = line
        known = {candidate.qbo_id: candidate for candidate in self.line_ids.candidate_ids}
        typed = [qbo_id for qbo_id in chosen if qbo_id not in known]
        rows = {}
        if typed:   # one read for all the Ids typed by hand: they must exist, and we need their SyncToken
            try:
                rows = {row["Id"]: row for row in connection._qbo_api().read_ids(self.entity, typed)}
            except qbo.QboError as error:
                raise UserError(connection._qbo_error_message(error))
            unknown = [qbo_id for qbo_id in typed if qbo_id not in rows]
            if unknown:
                raise UserError(_("QuickBooks has no %(entity)s with the Id %(ids)s (for %(partners)s).",
                                  entity=self.entity, ids=", ".join(unknown), partners=", ".join(
                                      chosen[qbo_id].partner_id.display_name for qbo_id in unknown)))
        Binding = self.env["qbo.binding"]
        for qbo_id, line in chosen.items():
            row = rows.get(qbo_id) or {"Id": qbo_id, "SyncToken": known[qbo_id].sync_token}
            Binding._qbo_link(connection, line.partner_id, self.entity, row)
        to_create = self.line_ids.filtered(lambda line: line.decision == "create").partner_id
        self.env["qbo.sync.job"]._qbo_enqueue(connection, to_create, self.entity)
        if to_create:
            self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs")._trigger()
        skipped = len(self.line_ids) - len(chosen) - len(to_create)
        connection.sudo().qbo_partners_matched_at = fields.Datetime.now()   # the setup checklist's step
        self.write({"state": "done", "summary": _(
            "%(linked)s linked to QuickBooks, %(queued)s queued to be created in QuickBooks, %(skipped)s left as "
            "they were.", linked=len(chosen), queued=len(to_create), skipped=skipped)})
        return self._qbo_reopen()

    def _qbo_reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "new", "name": _("QuickBooks: match partners"), "context": {"dialog_size": "extra-large"}}


class QboPartnerMatchLine(models.TransientModel):
    _name = "qbo.partner.match.line"
    _description = "Partner match proposal"
    _order = "match_state_order, id"

    wizard_id = fields.Many2one("qbo.partner.match", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, readonly=True)
    partner_email = fields.Char(related="partner_id.email")
    match_state = fields.Selection(MATCH_STATES, string="Match", readonly=True)
    match_state_order = fields.Integer(compute="_compute_match_state_order", store=True)
    criterion = fields.Selection(CRITERIA, string="Matched on", readonly=True)
    candidate_ids = fields.One2many("qbo.partner.match.candidate", "line_id", string="Candidate records")
    candidates_text = fields.Char("QuickBooks candidates", compute="_compute_candidates_text")
    candidate_id = fields.Many2one("qbo.partner.match.candidate", string="QuickBooks record",
                                   domain="[('line_id', '=', id)]",
                                   help="The proposed QuickBooks record; pick another candidate if it is wrong.")
    typed_qbo_id = fields.Char("Or QuickBooks Id", help="Link to this QuickBooks Id instead of a candidate.")
    chosen_qbo_id = fields.Char(compute="_compute_chosen_qbo_id")
    decision = fields.Selection([("link", "Link"), ("create", "Create in QuickBooks"), ("skip", "Skip")],
                                required=True, default="skip",
                                help="Link: record that the partner is this QuickBooks record (nothing is written "
                                     "to QuickBooks). Create: send the partner to QuickBooks as a new record. "
                                     "Skip: leave it as it is.")

    @api.depends("match_state")
    def _compute_match_state_order(self):
        order = {"ambiguous": 0, "new": 1, "matched": 2, "linked": 3}
        for line in self:
            line.match_state_order = order.get(line.match_state, 4)

    @api.depends("candidate_ids")
    def _compute_candidates_text(self):
        for line in self:
            line.candidates_text = ", ".join("%s (%s)" % (c.name, c.qbo_id) for c in line.candidate_ids)

    @api.depends("candidate_id", "typed_qbo_id")
    def _compute_chosen_qbo_id(self):
        for line in self:
            line.chosen_qbo_id = (line.typed_qbo_id or "").strip() or line.candidate_id.qbo_id or False

    @api.onchange("candidate_id", "typed_qbo_id")
    def _onchange_choice(self):
        if self.candidate_id or self.typed_qbo_id:
            self.decision = "link"


class QboPartnerMatchCandidate(models.TransientModel):
    _name = "qbo.partner.match.candidate"
    _description = "QuickBooks record proposed for a partner"
    _rec_names_search = ["name", "qbo_id", "email"]

    wizard_id = fields.Many2one("qbo.partner.match", required=True, ondelete="cascade")
    line_id = fields.Many2one("qbo.partner.match.line", ondelete="cascade", index=True)
    qbo_id = fields.Char("QuickBooks Id", required=True)
    name = fields.Char("QuickBooks name")
    email = fields.Char()
    sync_token = fields.Char()

    @api.depends("name", "qbo_id", "email")
    def _compute_display_name(self):
        for candidate in self:
            candidate.display_name = "%s (Id %s%s)" % (candidate.name or "?", candidate.qbo_id,
                                                      ", " + candidate.email if candidate.email else "")
