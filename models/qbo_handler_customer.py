from odoo import models


class QboHandlerCustomer(models.AbstractModel):
    _name = "qbo.handler.customer"
    _inherit = "qbo.handler.partner"
    _description = "Customer"

    _qbo_entity = "Customer"
    _qbo_app_page = ("customerdetail", "nameId")
    _qbo_import_sequence = 20
    _qbo_default_for_model = True   # a partner that is neither customer nor vendor is sent as a customer
    _qbo_rank_field = "customer_rank"
    _qbo_term_field = "property_payment_term_id"
    _qbo_term_key = "SalesTermRef"
    _qbo_tax_id_key = "PrimaryTaxIdentifier"

    def _qbo_dependencies(self, connection, partner):
        """A sub-customer needs its parent customer in QuickBooks first."""
        return [(partner.parent_id, "Customer")] if partner.parent_id else []

    def _qbo_to_qbo(self, connection, partner):
        payload = super()._qbo_to_qbo(connection, partner)
        if partner.parent_id:
            parent = self.env["qbo.binding"]._qbo_find(connection, partner.parent_id, "Customer")
            payload.update(ParentRef={"value": parent.qbo_id}, Job=True, BillWithParent=True)
        return payload

    def _qbo_name_suffix(self, connection):
        return connection.customer_name_suffix
