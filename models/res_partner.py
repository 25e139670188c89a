from odoo import api, models

# Changes to these fields are what QuickBooks shows of a customer or vendor.
QBO_PARTNER_FIELDS = frozenset({
    "name", "email", "phone", "mobile", "website", "street", "street2", "city", "zip", "state_id", "country_id",
    "active", "is_company", "customer_rank", "supplier_rank", "company_name", "parent_id", "vat",
    "property_payment_term_id", "property_supplier_payment_term_id"})


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "qbo.sync.mixin", "qbo.push.mixin"]

    # QuickBooks fixes these when it creates the customer or vendor; an update must not send them.
    _qbo_create_only_fields = ("CurrencyRef",)

    # ------------------------------------------------------------------ queueing (qbo.push.mixin)
    _qbo_watched_fields = QBO_PARTNER_FIELDS
    _qbo_push_flag = "push_partners"

    def _qbo_push_targets(self):
        return [(self.filtered(lambda partner: partner.customer_rank > 0), "Customer", 10),
                (self.filtered(lambda partner: partner.supplier_rank > 0), "Vendor", 10)]

    def _qbo_entities_of(self, record):
        """The QuickBooks types a partner is pushed as; a partner that is neither goes as a customer."""
        entities = [entity for entity, rank in (("Customer", record.customer_rank),
                                                ("Vendor", record.supplier_rank)) if rank > 0]
        return entities or ["Customer"]

    # ------------------------------------------------------------------ the QuickBooks shape
    def _qbo_dependencies(self, connection, entity):
        """A sub-customer needs its parent customer in QuickBooks first."""
        self.ensure_one()
        if entity == "Customer" and self.parent_id:
            return [(self.parent_id, "Customer")]
        return []

    def _qbo_payload(self, connection, entity):
        """The QuickBooks JSON for this partner as ``entity`` (Customer or Vendor)."""
        self.ensure_one()
        payload = {"DisplayName": self._qbo_display_name(), "Active": self.active}
        company_name = self.name if self.is_company else (self.parent_id.commercial_company_name or
                                                          self.company_name)
        if company_name:
            payload["CompanyName"] = company_name[:100]
        if self.email:
            payload["PrimaryEmailAddr"] = {"Address": self.email}
        if self.phone:
            payload["PrimaryPhone"] = {"FreeFormNumber": self.phone}
        if self.mobile:
            payload["Mobile"] = {"FreeFormNumber": self.mobile}
        if self.website:
            payload["WebAddr"] = {"URI": self.website}
        address = {"Line1": self.street, "Line2": self.street2, "City": self.city,
                   "CountrySubDivisionCode": self.state_id.code, "PostalCode": self.zip,
                   "Country": self.country_id.code}
        address = {key: value for key, value in address.items() if value}
        if address:
            payload["BillAddr"] = address
        if self.vat:
            payload["PrimaryTaxIdentifier" if entity == "Customer" else "TaxIdentifier"] = self.vat
        term = self.property_payment_term_id if entity == "Customer" else self.property_supplier_payment_term_id
        term_ref = connection._qbo_term_ref(term) if term else None
        if term_ref:   # an unmapped term is left out: QuickBooks then uses the company's default
            payload["SalesTermRef" if entity == "Customer" else "TermRef"] = term_ref
        currency = self._qbo_currency(connection)
        if currency:
            payload["CurrencyRef"] = {"value": currency.name}
        if entity == "Customer" and self.parent_id:
            parent = self.env["qbo.binding"].search([("connection_id", "=", connection.id),
                                                     ("res_model", "=", "res.partner"),
                                                     ("res_id", "=", self.parent_id.id),
                                                     ("qbo_entity", "=", "Customer")], limit=1)
            payload.update(ParentRef={"value": parent.qbo_id}, Job=True, BillWithParent=True)
        return payload

    def _qbo_display_name(self):
        # Contacts of a company show as "Company, Person" so two companies' "John Smith" do not collide.
        name = self.display_name if self.parent_id else self.name
        # QuickBooks refuses a colon, tab or newline in a name and caps it at 500 characters.
        name = (name or self.display_name or "").replace(":", "-").replace("\t", " ").replace("\n", " ")
        return name.strip()[:500]

    def _qbo_currency(self, connection):
        """The currency a multicurrency QuickBooks company should hold this partner in, when not its home one."""
        if not connection.qbo_multicurrency or "property_product_pricelist" not in self._fields:
            return None
        currency = self.property_product_pricelist.currency_id
        if currency and currency.name != (connection.qbo_currency_code or connection.company_id.currency_id.name):
            return currency
        return None

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
