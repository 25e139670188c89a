from odoo import models


class QboHandlerVendor(models.AbstractModel):
    _name = "qbo.handler.vendor"
    _inherit = "qbo.handler.partner"
    _description = "Vendor"

    _qbo_entity = "Vendor"
    _qbo_app_page = ("vendordetail", "nameId")
    _qbo_import_sequence = 30
    _qbo_rank_field = "supplier_rank"
    _qbo_term_field = "property_supplier_payment_term_id"
    _qbo_term_key = "TermRef"
    _qbo_tax_id_key = "TaxIdentifier"

    def _qbo_name_suffix(self, connection):
        return connection.vendor_name_suffix
