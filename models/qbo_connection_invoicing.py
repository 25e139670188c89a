from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

CUSTOM_FIELD_TYPES = ("char", "text", "selection", "many2one", "date", "integer", "float", "monetary")


class QboConnection(models.Model):
    """How and when a company's customer invoices and credit notes go to QuickBooks."""

    _inherit = "qbo.connection"

    invoice_send_policy = fields.Selection(
        [("posted", "When posted"), ("paid", "When fully paid"), ("manual", "Only on demand")],
        string="Send customer invoices", default="manual", required=True,
        help="When posted: every posted customer invoice and credit note is queued for QuickBooks. When fully "
             "paid: only once it is paid (credit notes once used). Only on demand: through Send to QuickBooks "
             "and the bulk action alone. A new connection starts on demand: the last step of its setup "
             "checklist turns automatic sending on, once the mappings are done and the customers matched.")
    documents_from = fields.Date(
        "Send documents dated from",
        help="Older invoices and credit notes are never sent automatically, only through the bulk action, so "
             "connecting never floods QuickBooks with history. Set to the day of connecting when empty.")
    invoice_txn_date = fields.Selection(
        [("invoice_date", "Invoice date"), ("date", "Accounting date"), ("sent", "Date it is sent")],
        string="QuickBooks date", default="invoice_date", required=True,
        help="The date QuickBooks books the document on (its TxnDate). Odoo may book an invoice on a later "
             "accounting date when its own period was locked.")
    invoice_one_line = fields.Boolean(
        "One-line summary",
        help="Send each invoice as a single line per tax code (and per income account), described by the "
             "template, instead of Odoo's lines.")
    invoice_one_line_template = fields.Char(
        "Summary line", default="Invoice: {number} / {date} / {partner}",
        help="The description of the summary line: {number}, {date}, {partner}, {reference} and {amount} are "
             "replaced by the invoice's.")
    invoice_custom_field_1 = fields.Many2one(
        "ir.model.fields", "Custom field 1", ondelete="set null",
        domain=[("model", "=", "account.move"), ("ttype", "in", CUSTOM_FIELD_TYPES)],
        help="The Odoo field that fills QuickBooks' first sales-form custom field (turn it on in QuickBooks: "
             "Account and settings → Sales → Custom fields). At most 31 characters are kept.")
    invoice_custom_field_2 = fields.Many2one(
        "ir.model.fields", "Custom field 2", ondelete="set null",
        domain=[("model", "=", "account.move"), ("ttype", "in", CUSTOM_FIELD_TYPES)],
        help="The Odoo field that fills QuickBooks' second sales-form custom field.")
    invoice_custom_field_3 = fields.Many2one(
        "ir.model.fields", "Custom field 3", ondelete="set null",
        domain=[("model", "=", "account.move"), ("ttype", "in", CUSTOM_FIELD_TYPES)],
        help="The Odoo field that fills QuickBooks' third sales-form custom field.")
    invoice_split_by_month = fields.Boolean(
        "Split by month",
        help="Invoice lines get a service date; an invoice whose lines fall in several months goes to QuickBooks as "
             "one invoice per month (its number followed by -1, -2, ...), all linked to the Odoo invoice. Lines "
             "without a service date belong to the invoice date's month.")
    invoice_attach_pdf = fields.Boolean(
        "Attach the PDF",
        help="Upload Odoo's PDF of each invoice and credit note to QuickBooks, attached to the document there.")

    @api.constrains("invoice_custom_field_1", "invoice_custom_field_2", "invoice_custom_field_3")
    def _check_custom_fields(self):
        for connection in self:
            for slot in (1, 2, 3):
                field = connection["invoice_custom_field_%d" % slot]
                if field and (field.model != "account.move" or field.ttype not in CUSTOM_FIELD_TYPES):
                    raise ValidationError(_("QuickBooks custom field %(slot)s can only be filled from a simple field "
                                            "of the invoice, not %(field)s.", slot=slot, field=field.display_name))

    def _qbo_start_documents_from(self):
        """At the first connection, documents are sent from today on."""
        for connection in self.filtered(lambda connection: not connection.documents_from):
            connection.documents_from = fields.Date.context_today(connection)
