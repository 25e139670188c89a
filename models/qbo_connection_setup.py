from odoo import _, api, fields, models

# The first hour of a company, in order. Each step is done or to do; the first one to do is "next" and gets the
# highlighted button on the connection form.
SETUP_STEPS = [
    ("connect", "Connect"),
    ("lists", "Update lists"),
    ("mappings", "Review mappings"),
    ("match", "Match customers and vendors"),
    ("import", "Import from QuickBooks"),
    ("sending", "Send invoices automatically"),
]


class QboConnection(models.Model):
    """The setup checklist of a connection: what a new company does first, what is done and what is next."""

    _inherit = "qbo.connection"

    qbo_partners_matched_at = fields.Datetime(
        "Partners matched at", readonly=True, copy=False,
        help="When customers or vendors were last matched with QuickBooks through the match wizard.")
    qbo_setup_next = fields.Selection(
        SETUP_STEPS + [("done", "Done")], "Next setup step", compute="_compute_qbo_setup",
        help="The first step of the setup checklist still to do.")
    qbo_setup_done_count = fields.Integer("Setup steps done", compute="_compute_qbo_setup",
                                          help="How many steps of the setup checklist are done.")
    qbo_setup_step_count = fields.Integer("Setup steps", compute="_compute_qbo_setup",
                                          help="The steps of the setup checklist.")
    qbo_setup_ready = fields.Boolean(
        "Ready to send automatically", compute="_compute_qbo_setup",
        help="Every step before automatic sending is done: connected, lists read, mappings complete, partners "
             "matched and QuickBooks imported.")
    qbo_setup_connect_done = fields.Boolean("Connected", compute="_compute_qbo_setup",
                                            help="Setup step 1: the company is connected to QuickBooks.")
    qbo_setup_lists_done = fields.Boolean("Lists read", compute="_compute_qbo_setup",
                                          help="Setup step 2: QuickBooks' lists were read.")
    qbo_setup_mappings_done = fields.Boolean(
        "Mappings complete", compute="_compute_qbo_setup",
        help="Setup step 3: mappings were proposed and nothing a sync needs is left to map.")
    qbo_setup_match_done = fields.Boolean(
        "Partners matched", compute="_compute_qbo_setup",
        help="Setup step 4: customers or vendors were matched with the wizard, or linked by an import.")
    qbo_setup_import_done = fields.Boolean("Imported", compute="_compute_qbo_setup",
                                           help="Setup step 5: an import from QuickBooks went to its end.")
    qbo_setup_sending_done = fields.Boolean(
        "Sending automatically", compute="_compute_qbo_setup",
        help="Setup step 6: customer invoices go to QuickBooks without being sent one by one.")
    qbo_setup_todo_count = fields.Integer(
        "Still to map", compute="_compute_qbo_setup",
        help="Accounts a sync can touch, taxes and bank or cash journals without a confirmed QuickBooks mapping. "
             "Payment terms are optional: an unmapped term is left out and QuickBooks applies its default.")
    qbo_setup_mappings_note = fields.Char("Mappings to do", compute="_compute_qbo_setup",
                                          help="What is still to map, list by list.")

    @api.depends("state", "qbo_lists_updated_at", "qbo_partners_matched_at", "invoice_send_policy")
    @api.depends_context("uid")
    def _compute_qbo_setup(self):
        ids = self._origin.ids   # the form's onchange computes on new records standing for saved ones
        proposed = {connection.id for [connection] in self.env["qbo.account.mapping"].sudo()._read_group(
            [("connection_id", "in", ids)], ["connection_id"])}
        imported = {connection.id for [connection] in self.env["qbo.import.run"].sudo()._read_group(
            [("connection_id", "in", ids), ("state", "=", "done")], ["connection_id"])}
        for connection in self:
            key = connection._origin.id
            todo = connection.qbo_account_todo_count + connection.qbo_tax_unmapped_count + \
                connection.qbo_journal_unmapped_count
            done = {
                "connect": connection.state == "connected",
                "lists": bool(connection.qbo_lists_updated_at),
                "mappings": key in proposed and not todo,
                # Matched by the wizard, or by the import, which links by the same rules. Partners merely sent
                # to QuickBooks since do not count: nothing paired them with what QuickBooks already had.
                "match": bool(connection.qbo_partners_matched_at) or key in imported,
                "import": key in imported,
                "sending": connection.invoice_send_policy != "manual",
            }
            for step, _label in SETUP_STEPS:
                connection["qbo_setup_%s_done" % step] = done[step]
            connection.qbo_setup_next = next((step for step, _label in SETUP_STEPS if not done[step]), "done")
            connection.qbo_setup_done_count = sum(done.values())
            connection.qbo_setup_step_count = len(SETUP_STEPS)
            connection.qbo_setup_ready = all(done[step] for step, _label in SETUP_STEPS if step != "sending")
            connection.qbo_setup_todo_count = todo
            parts = []
            for count, label in ((connection.qbo_account_todo_count, _("accounts")),
                                 (connection.qbo_tax_unmapped_count, _("taxes")),
                                 (connection.qbo_journal_unmapped_count, _("journals"))):
                if count:
                    parts.append("%s %s" % (count, label))
            connection.qbo_setup_mappings_note = ", ".join(parts) or False

    # ------------------------------------------------------------------ the checklist's buttons
    def action_qbo_setup_lists(self):
        """Read QuickBooks' lists, then propose every mapping: the two always go together the first time."""
        self.ensure_one()
        self._qbo_check_manager()
        totals = self.env["qbo.list.item"].sudo()._qbo_update_lists(self)
        summary = self._qbo_propose_all()
        return self._qbo_toast(_("QuickBooks lists read and mappings proposed"), "%s %s" % (_(
            "Lists: %(created)s new, %(updated)s changed and %(archived)s archived entries.", **totals), summary),
            "success")

    def action_qbo_review_mappings(self):
        """The first mapping list with something to do: accounts, then taxes, then journals. Lists read by the
        daily scheduled action come without proposals: propose first, rather than open an empty list."""
        self.ensure_one()
        if not self.env["qbo.account.mapping"].sudo().search_count([("connection_id", "=", self.id)], limit=1):
            self._qbo_check_manager()
            self._qbo_propose_all()
        if self.qbo_account_todo_count or not (self.qbo_tax_unmapped_count or self.qbo_journal_unmapped_count):
            return self.action_qbo_open_account_mapping()
        if self.qbo_tax_unmapped_count:
            return self.action_qbo_open_tax_mapping()
        return self.action_qbo_open_journal_mapping()

    def action_qbo_send_invoices_automatically(self):
        """The last step: customer invoices and credit notes are queued for QuickBooks as they are posted."""
        self.ensure_one()
        self._qbo_check_manager()
        self._qbo_start_documents_from()
        self.invoice_send_policy = "posted"
        self.message_post(body=_("Customer invoices and credit notes are now sent to QuickBooks as they are posted "
                                 "(from %s on), turned on by %s.", fields.Date.to_string(self.documents_from),
                                 self.env.user.name))
        return self._qbo_toast(_("Invoices go to QuickBooks automatically"), _(
            "Customer invoices and credit notes dated from %s are sent to QuickBooks as they are posted. Change it "
            "in the Synchronisation tab.", fields.Date.to_string(self.documents_from)), "success")

    @api.onchange("invoice_send_policy")
    def _onchange_invoice_send_policy_setup(self):
        if self.invoice_send_policy != "manual" and self._origin.invoice_send_policy == "manual" and \
                not self.qbo_setup_ready:
            return {"warning": {"title": _("The setup is not finished"), "message": _(
                "Invoices sent before the mappings are complete and the customers are matched fail in the Sync "
                "Queue, or create customers QuickBooks already has. The setup checklist shows what is left.")}}
        return None
