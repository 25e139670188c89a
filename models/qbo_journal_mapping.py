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
    """

    _name = "qbo.journal.mapping"
    _inherit = ["qbo.mapping.mixin"]
    _description = "QuickBooks Online journal mapping"
    _order = "journal_id"

    journal_id = fields.Many2one("account.journal", "Journal", required=True, ondelete="cascade", index=True,
                                 domain="[('type', 'in', ('bank', 'cash'))]")
    journal_type = fields.Selection(related="journal_id.type")
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

    _sql_constraints = [("journal_unique", "unique(connection_id, journal_id)",
                         "This journal already has a mapping for this QuickBooks company.")]

    @api.depends("qbo_account_id", "candidate_count")
    def _compute_state(self):
        return super()._compute_state()

    def _qbo_is_mapped(self):
        return bool(self.qbo_account_id)

    @api.model
    def _qbo_target_fields(self):
        return {"qbo_account_id", "qbo_payment_method_id"}

    @api.constrains("qbo_account_id")
    def _check_deposit_account_type(self):
        for row in self.filtered("qbo_account_id"):
            if row.qbo_account_id.account_type not in DEPOSIT_TYPES:
                raise ValidationError(_(
                    "QuickBooks only deposits payments to Bank or Other Current Asset accounts; %(account)s is an "
                    "account of type %(type)s. Choose another account for the journal %(journal)s.",
                    account=row.qbo_account_id.display_name, type=row.qbo_account_id.account_type or "?",
                    journal=row.journal_id.display_name))

    @api.model
    def _qbo_propose(self, connection):
        """Propose each bank and cash journal's deposit account from its default account's mapping,
        and a payment method of the same name."""
        Journal = self.env["account.journal"]
        journals = Journal.search(Journal._check_company_domain(connection.company_id) +
                                  [("type", "in", ("bank", "cash"))])
        rows = self._qbo_rows(connection, "journal_id", journals)
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
    def _qbo_row(self, connection, journal):
        return self.search([("connection_id", "=", connection.id), ("journal_id", "=", journal.id)], limit=1)

    @api.model
    def _qbo_deposit_ref(self, connection, journal):
        account = self._qbo_row(connection, journal).qbo_account_id
        if not account:
            raise UserError(_("The journal %(journal)s has no QuickBooks deposit account. Map it in Invoicing → "
                              "Configuration → QuickBooks Journal Mapping (a journal not listed there yet appears "
                              "when you click Propose mappings on the QuickBooks Online connection).",
                              journal=journal.display_name))
        return {"value": account.qbo_id, "name": account.name}

    @api.model
    def _qbo_method_ref(self, connection, journal):
        method = self._qbo_row(connection, journal).qbo_payment_method_id
        return {"value": method.qbo_id, "name": method.name} if method else None
