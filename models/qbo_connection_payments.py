from odoo import api, fields, models

from .qbo_handler import batch_memo


class QboConnection(models.Model):
    """Where a company's customer payments land in QuickBooks when their journal has no mapping of its own.

    The journal mapping (qbo_journal_mapping.py) says it per journal and per payment method; these are the
    connection's defaults for anything it leaves unmapped.
    """

    _inherit = "qbo.connection"

    payment_deposit_account_id = fields.Many2one(
        "qbo.list.item", "Default deposit account", ondelete="set null",
        domain="[('connection_id', '=', id), ('list_type', '=', 'account'), "
               "('account_type', 'in', ('Bank', 'Other Current Asset'))]",
        help="Where customer payments are deposited (and refunds paid from) in QuickBooks when neither their "
             "journal nor their payment method has a deposit account in the journal mapping. A Bank or Other "
             "Current Asset account, such as Undeposited Funds.")
    payment_method_default_id = fields.Many2one(
        "qbo.list.item", "Default payment method", ondelete="set null",
        domain="[('connection_id', '=', id), ('list_type', '=', 'payment_method')]",
        help="The QuickBooks payment method recorded on customer payments whose journal and payment method have "
             "none in the journal mapping. Optional.")

    @api.constrains("payment_deposit_account_id")
    def _check_payment_deposit_account(self):
        for connection in self.filtered("payment_deposit_account_id"):
            self.env["qbo.journal.mapping"]._qbo_check_deposit_account(connection.payment_deposit_account_id)

    def _qbo_payment_refs(self, journal, method_line=None):
        """(DepositToAccountRef, PaymentMethodRef or None) of a payment through ``journal`` and ``method_line``:
        the method line's mapping, else the journal's, else these defaults; a UserError names what to map. Looked
        up once per journal and method in a batch."""
        return batch_memo(self.env, ("payment_refs", self.id, journal.id, method_line.id if method_line else False),
                          lambda: self.env["qbo.journal.mapping"].sudo()._qbo_payment_refs(self, journal, method_line))
