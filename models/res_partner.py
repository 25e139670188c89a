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

    @api.model
    def _qbo_values_from_qbo(self, entity, data):
        """Odoo values for a partner made from a QuickBooks Customer or Vendor (its JSON).

        The parent of a sub-customer is the caller's business: it needs the
        parent's own link first.
        """
        values = {
            "name": (data.get("DisplayName") or data.get("CompanyName") or "").strip() or self.env._("(no name)"),
            "is_company": bool(data.get("CompanyName")) and not data.get("ParentRef"),
            "email": (data.get("PrimaryEmailAddr") or {}).get("Address") or False,
            "phone": (data.get("PrimaryPhone") or {}).get("FreeFormNumber") or False,
            "mobile": (data.get("Mobile") or {}).get("FreeFormNumber") or False,
            "website": (data.get("WebAddr") or {}).get("URI") or False,
            "active": data.get("Active", True) is not False,
        }
        if entity == "Vendor":
            values["supplier_rank"] = 1
        else:
            values["customer_rank"] = 1
        tax_fields = ("TaxIdentifier", "BusinessNumber") if entity == "Vendor" else ("PrimaryTaxIdentifier",
                                                                                     "BusinessNumber")
        for field in tax_fields:
            tax_id = (data.get(field) or "").strip()
            if tax_id and not tax_id.upper().startswith("XXX"):   # QuickBooks masks most stored tax IDs
                values["vat"] = tax_id
                break
        values.update(self._qbo_address_values(data.get("BillAddr") or data.get("ShipAddr") or {}))
        return values

    @api.model
    def _qbo_address_values(self, address):
        """Odoo address fields from a QuickBooks PhysicalAddress; countries by ISO code or name."""
        values = {"street": address.get("Line1") or False, "street2": address.get("Line2") or False,
                  "city": address.get("City") or False, "zip": address.get("PostalCode") or False}
        country_name = (address.get("Country") or "").strip()
        country = self.env["res.country"]
        if country_name:
            aliases = {"USA": "US", "U.S.A.": "US", "UNITED STATES": "US", "UK": "GB", "UNITED KINGDOM": "GB"}
            code = aliases.get(country_name.upper(), country_name.upper())
            country = country.search([("code", "=", code)], limit=1) if len(code) == 2 else country
            country = country or self.env["res.country"].search([("name", "=ilike", country_name)], limit=1)
        if country:
            values["country_id"] = country.id
        subdivision = (address.get("CountrySubDivisionCode") or "").strip()
        if subdivision and country:
            state = self.env["res.country.state"].search([("country_id", "=", country.id), "|",
                                                          ("code", "=ilike", subdivision),
                                                          ("name", "=ilike", subdivision)], limit=1)
            if state:
                values["state_id"] = state.id
        return {key: value for key, value in values.items() if value}
