from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .qbo_mapping_mixin import KEPT_METHODS

# QuickBooks deposits payments only to these account types.
DEPOSIT_TYPES = ("Bank", "Other Current Asset")


class QboJournalMapping(models.Model):
    """Where the payments of a bank or cash journal land in QuickBooks, and how they were paid.

    A per-connection model, not ``qbo_`` fields on the journal: a journal's
    company has one connection today, but keeping every mapping in tables keyed
    by connection keeps the reset wizard and the record rules in one place.
    The payment method sits here too rather than on ``account.payment.method.line``:
    Odoo's payment methods are technical (manual, check printing, SEPA...)
    while QuickBooks' (Cash, Check, Visa...) say how the customer paid, which in
    Odoo is best told by the journal the money went to.

    A journal with several payment methods may have a row per method line as
    well; what such a row leaves empty comes from the journal's row, and what
    that leaves empty from the connection's defaults (qbo_connection_payments.py).
    """

    _name = "qbo.journal.mapping"
    _inherit = ["qbo.mapping.mixin"]
    _description = "QuickBooks Online journal mapping"
    _order = "journal_id"

    journal_id = fields.Many2one("account.journal", "Journal", required=True, ondelete="cascade", index=True,
                                 domain="[('type', 'in', ('bank', 'cash'))]")
    journal_type = fields.Selection(related="journal_id.type")
    payment_method_line_id = fields.Many2one(
        "account.payment.method.line", "Payment method (Odoo)", ondelete="cascade", index=True,
        domain="[('journal_id', '=', journal_id)]",
        help="Empty: the row of the whole journal. Set: what payments through this payment method of the journal "
             "use instead; what it leaves empty comes from the journal's row.")
    payment_type = fields.Selection(related="payment_method_line_id.payment_type", string="Direction")
    qbo_account_id = fields.Many2one(
        "qbo.list.item", "Deposit to", ondelete="restrict",
        domain="[('connection_id', '=', connection_id), ('list_type', '=', 'account'), "
               "('account_type', 'in', ('Bank', 'Other Current Asset'))]",
        help="The QuickBooks account this journal's payments are deposited to: a Bank or Other Current Asset "
             "account (for example Undeposited Funds), the only types QuickBooks accepts for deposits.")
    qbo_payment_method_id = fields.Many2one(
        "qbo.list.item", "Payment method", ondelete="restrict",
        domain="[('connection_id', '=', connection_id), ('list_type', '=', 'payment_method')]",
        help="Optional: the QuickBooks payment method (Cash, Check, Visa...) recorded on this journal's payments.")

    _sql_constraints = [("journal_unique", "unique(connection_id, journal_id, payment_method_line_id)",
                         "This journal or payment method already has a mapping for this QuickBooks company.")]

    def init(self):
        # The constraint above does not see two rows of the whole journal (NULL method lines differ in SQL).
        self.env.cr.execute("""CREATE UNIQUE INDEX IF NOT EXISTS qbo_journal_mapping_journal_row_unique
                                   ON qbo_journal_mapping (connection_id, journal_id)
                                WHERE payment_method_line_id IS NULL""")

    @api.depends("qbo_account_id", "candidate_count", "payment_method_line_id",
                 "connection_id.payment_deposit_account_id")
    def _compute_state(self):
        return super()._compute_state()

    def _qbo_is_mapped(self):
        """A method line's row only overrides its journal's, so it never needs a mapping of its own; a journal
        without a deposit account is covered by the connection's default."""
        return bool(self.qbo_account_id or self.payment_method_line_id or
                    self.connection_id.payment_deposit_account_id)

    @api.model
    def _qbo_target_fields(self):
        return {"qbo_account_id", "qbo_payment_method_id"}

    @api.constrains("qbo_account_id")
    def _check_deposit_account_type(self):
        for row in self.filtered("qbo_account_id"):
            self._qbo_check_deposit_account(row.qbo_account_id, _(" Choose another account for the journal %s.",
                                                                  row.journal_id.display_name))

    @api.model
    def _qbo_check_deposit_account(self, account, hint=""):
        """A ValidationError unless QuickBooks can deposit payments to ``account`` (a qbo.list.item)."""
        if account.account_type not in DEPOSIT_TYPES:
            raise ValidationError(_(
                "QuickBooks only deposits payments to Bank or Other Current Asset accounts; %(account)s is an "
                "account of type %(type)s.%(hint)s", account=account.display_name, type=account.account_type or "?",
                hint=hint))

    @api.model
    def _qbo_propose(self, connection):
        """Propose each bank and cash journal's deposit account from its default account's mapping,
        and a payment method of the same name."""
        Journal = self.env["account.journal"]
        journals = Journal.search(Journal._check_company_domain(connection.company_id) +
                                  [("type", "in", ("bank", "cash"))])
        rows = self._qbo_journal_rows(connection, journals)
        self._qbo_propose_method_lines(connection, journals)
        accounts = {row.account_id.id: row.qbo_account_id for row in self.env["qbo.account.mapping"].search(
            [("connection_id", "=", connection.id), ("account_id", "in", journals.default_account_id.ids),
             ("state", "=", "mapped")])}   # not a suggestion nobody confirmed yet
        methods = {}
        for method in self.env["qbo.list.item"].search([("connection_id", "=", connection.id),
                                                        ("list_type", "=", "payment_method")]):
            methods.setdefault(method.name.casefold(), []).append(method)
        for row in rows:
            values = {}
            if not (row.method in KEPT_METHODS and row.qbo_account_id):
                target = accounts.get(row.journal_id.default_account_id.id)
                if target and target.account_type in DEPOSIT_TYPES:
                    values.update(qbo_account_id=target.id, method="account", candidate_count=1, note=False)
                else:
                    values.update(qbo_account_id=False, method=False, candidate_count=0, note=_(
                        "The journal's default account has no QuickBooks Bank or Other Current Asset account "
                        "mapped: pick the deposit account."))
            if not row.qbo_payment_method_id and row.method not in KEPT_METHODS:
                named = methods.get((row.journal_id.name or "").casefold(), [])
                if len(named) == 1:
                    values["qbo_payment_method_id"] = named[0].id
            if values:
                row.with_context(qbo_proposal=True).write(values)
        return rows

    @api.model
    def _qbo_journal_rows(self, connection, journals):
        """The rows of the whole journals (not of their method lines), creating the absent ones."""
        return self._qbo_rows(connection, "journal_id", journals, [("payment_method_line_id", "=", False)])

    @api.model
    def _qbo_propose_method_lines(self, connection, journals):
        """A row per payment method line of the journals that offer several in one direction (e.g. manual and
        checks), with the QuickBooks payment method of the same name; their deposit account stays the journal's."""
        lines = self.env["account.payment.method.line"]
        for journal in journals:
            for direction in (journal.inbound_payment_method_line_ids, journal.outbound_payment_method_line_ids):
                if len(direction) > 1:
                    lines |= direction
        if not lines:
            return
        existing = self.search([("connection_id", "=", connection.id), ("payment_method_line_id", "in", lines.ids)])
        have = set(existing.mapped("payment_method_line_id.id"))
        methods = {}
        for method in self.env["qbo.list.item"].search([("connection_id", "=", connection.id),
                                                        ("list_type", "=", "payment_method")]):
            methods.setdefault(method.name.casefold(), []).append(method)
        values = []
        for line in lines.filtered(lambda line: line.id not in have):
            named = methods.get((line.name or "").casefold(), [])
            values.append({"connection_id": connection.id, "journal_id": line.journal_id.id,
                           "payment_method_line_id": line.id, "method": "name" if len(named) == 1 else False,
                           "qbo_payment_method_id": named[0].id if len(named) == 1 else False})
        self.with_context(qbo_proposal=True).create(values)

    @api.model
    def _qbo_rows_for(self, connection, journal, method_line=None):
        """The rows that decide for a payment, most specific first: its method line's, then its journal's."""
        rows = self.search([("connection_id", "=", connection.id), ("journal_id", "=", journal.id),
                            ("payment_method_line_id", "in", [False] + (method_line.ids if method_line else []))])
        return rows.sorted(lambda row: not row.payment_method_line_id)

    @api.model
    def _qbo_payment_refs(self, connection, journal, method_line=None):
        """(DepositToAccountRef, PaymentMethodRef or None): the method line's row, else the journal's, else the
        connection's defaults. Raises a UserError naming the journal and method when no deposit account is found."""
        rows = self._qbo_rows_for(connection, journal, method_line)
        account = next((row.qbo_account_id for row in rows if row.qbo_account_id),
                       connection.payment_deposit_account_id)
        if not account:
            where = journal.display_name
            if method_line:
                where = _("%(journal)s (payment method %(method)s)", journal=where, method=method_line.name)
            raise UserError(_("The journal %(journal)s has no QuickBooks deposit account. Map it in Invoicing → "
                              "Configuration → QuickBooks Online → Journal Mapping (a journal not listed there yet "
                              "appears when you click Update lists or Propose again on the QuickBooks Online "
                              "connection), or set a default deposit account on the connection.", journal=where))
        method = next((row.qbo_payment_method_id for row in rows if row.qbo_payment_method_id),
                      connection.payment_method_default_id)
        return {"value": account.qbo_id, "name": account.name}, \
            ({"value": method.qbo_id, "name": method.name} if method else None)
