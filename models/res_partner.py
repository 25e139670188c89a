from odoo import api, models

# Changes to these fields are what QuickBooks shows of a customer.
QBO_CUSTOMER_FIELDS = {"name", "email", "phone", "mobile", "street", "street2", "city", "zip", "state_id",
                       "country_id", "active", "is_company", "customer_rank", "company_name"}


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners._qbo_queue_push()
        return partners

    def write(self, vals):
        result = super().write(vals)
        if QBO_CUSTOMER_FIELDS & set(vals):
            self._qbo_queue_push()
        return result

    def _qbo_queue_push(self):
        """Queue customers for QuickBooks; never call QuickBooks from here."""
        if self.env.context.get("qbo_no_export"):
            return
        connections = self.env["qbo.connection"].sudo().search([("state", "=", "connected"),
                                                                ("push_partners", "=", True)])
        for connection in connections:
            customers = self.filtered(lambda partner: partner.customer_rank > 0 and (
                not partner.company_id or partner.company_id == connection.company_id))
            self.env["qbo.sync.job"].sudo()._qbo_enqueue(connection, customers, "Customer")

    def _qbo_payload(self, connection, entity):
        """The QuickBooks JSON for this partner as ``entity`` (Customer or Vendor)."""
        self.ensure_one()
        payload = {"DisplayName": self._qbo_display_name(), "Active": self.active}
        if self.is_company:
            payload["CompanyName"] = self.name
        if self.email:
            payload["PrimaryEmailAddr"] = {"Address": self.email}
        if self.phone:
            payload["PrimaryPhone"] = {"FreeFormNumber": self.phone}
        if self.mobile:
            payload["Mobile"] = {"FreeFormNumber": self.mobile}
        address = {"Line1": self.street, "Line2": self.street2, "City": self.city,
                   "CountrySubDivisionCode": self.state_id.code, "PostalCode": self.zip,
                   "Country": self.country_id.code}
        address = {key: value for key, value in address.items() if value}
        if address:
            payload["BillAddr"] = address
        return payload

    def _qbo_display_name(self):
        # QuickBooks refuses a colon, tab or newline in a name and caps it at 500 characters.
        name = (self.name or self.display_name or "").replace(":", "-").replace("\t", " ").replace("\n", " ")
        return name.strip()[:500]
