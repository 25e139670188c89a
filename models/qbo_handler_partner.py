from odoo import _, api, models
from odoo.exceptions import UserError, ValidationError

from .. import qbo
from .qbo_handler import LEVEL_NAMES

# Changes to these fields are what QuickBooks shows of a customer or vendor.
PARTNER_FIELDS = frozenset({
    "name", "email", "phone", "mobile", "website", "street", "street2", "city", "zip", "state_id", "country_id",
    "active", "is_company", "customer_rank", "supplier_rank", "company_name", "parent_id", "vat",
    "property_payment_term_id", "property_supplier_payment_term_id"})
# QuickBooks display names are unique across these three lists.
NAME_LISTS = ("Customer", "Vendor", "Employee")
COUNTRY_ALIASES = {"USA": "US", "U.S.A.": "US", "UNITED STATES": "US", "UK": "GB", "UNITED KINGDOM": "GB"}


class QboHandlerPartner(models.AbstractModel):
    """What customers and vendors share: a partner, a display name unique across name lists, an address."""

    _name = "qbo.handler.partner"
    _inherit = "qbo.handler"
    _description = "QuickBooks Online customer or vendor"

    _qbo_model = "res.partner"
    _qbo_level = LEVEL_NAMES
    _qbo_push_flag = "push_partners"
    _qbo_watched_fields = PARTNER_FIELDS
    _qbo_create_only_fields = ("CurrencyRef",)   # QuickBooks fixes a name's currency when it creates it
    _qbo_name_field = "DisplayName"
    _qbo_bulk = True
    _qbo_rank_field = None            # customer_rank or supplier_rank
    _qbo_term_field = None            # the partner's payment term for this side
    _qbo_term_key = None              # SalesTermRef or TermRef
    _qbo_tax_id_key = None            # PrimaryTaxIdentifier or TaxIdentifier

    def _qbo_wants(self, records):
        return records.filtered(lambda partner: partner[self._qbo_rank_field] > 0)

    # ------------------------------------------------------------------ Odoo → QuickBooks
    def _qbo_to_qbo(self, connection, partner):
        payload = {"DisplayName": self._qbo_display_name(partner), "Active": partner.active}
        company_name = partner.name if partner.is_company else (partner.parent_id.commercial_company_name or
                                                                partner.company_name)
        if company_name:
            payload["CompanyName"] = company_name[:100]
        if partner.email:
            payload["PrimaryEmailAddr"] = {"Address": partner.email}
        if partner.phone:
            payload["PrimaryPhone"] = {"FreeFormNumber": partner.phone}
        if partner.mobile:
            payload["Mobile"] = {"FreeFormNumber": partner.mobile}
        if partner.website:
            payload["WebAddr"] = {"URI": partner.website}
        address = self._qbo_address(partner)
        if address:
            payload["BillAddr"] = address
        if partner.vat:
            payload[self._qbo_tax_id_key] = partner.vat
        term = partner[self._qbo_term_field]
        term_ref = connection._qbo_term_ref(term) if term else None
        if term_ref:   # an unmapped term is left out: QuickBooks then uses the company's default
            payload[self._qbo_term_key] = term_ref
        currency = self._qbo_currency(connection, partner)
        if currency:
            payload["CurrencyRef"] = {"value": currency.name}
        return payload

    @api.model
    def _qbo_address(self, partner):
        address = {"Line1": partner.street, "Line2": partner.street2, "City": partner.city,
                   "CountrySubDivisionCode": partner.state_id.code, "PostalCode": partner.zip,
                   "Country": partner.country_id.code}
        return {key: value for key, value in address.items() if value}

    @api.model
    def _qbo_display_name(self, partner):
        # Contacts of a company show as "Company, Person" so two companies' "John Smith" do not collide.
        name = partner.display_name if partner.parent_id else partner.name
        # QuickBooks refuses a colon, tab or newline in a name and caps it at 500 characters.
        name = (name or partner.display_name or "").replace(":", "-").replace("\t", " ").replace("\n", " ")
        return name.strip()[:500]

    @api.model
    def _qbo_currency(self, connection, partner):
        """The currency a multicurrency QuickBooks company should hold this partner in, when not its home one."""
        if not connection.qbo_multicurrency or "property_product_pricelist" not in partner._fields:
            return None
        currency = partner.with_company(connection.company_id).property_product_pricelist.currency_id
        if currency and currency.name != (connection._qbo_home_currency()):
            return currency
        return None

    # ------------------------------------------------------------------ 6240: the name is taken
    def _qbo_handle_faults(self, connection, failures):
        duplicates, others = {}, []
        for job, error, payload in failures:
            if str(error.get("code", "")) == "6240" and "DisplayName" in payload:
                duplicates[job] = (payload["DisplayName"], error)
            else:
                others.append((job, error, payload))
        if duplicates:
            self._qbo_resolve_duplicate_names(connection, duplicates)
        return super()._qbo_handle_faults(connection, others)

    def _qbo_resolve_duplicate_names(self, connection, duplicates):
        """Intuit said 6240: the name is taken. Find who holds it, in one query per name list, and decide.

        The same type: link to it (policy "link") or offer the link (policy "ask").
        Another type (a vendor that is also a customer): retry with the connection's
        suffix for that type. An employee, or no suffix: stop and say so.
        """
        names = sorted({name for name, _error in duplicates.values()})
        holders = {}
        api = connection._qbo_api()
        try:
            for entity in NAME_LISTS:
                for start in range(0, len(names), qbo.BATCH_SIZE):
                    where = "DisplayName IN %s" % qbo.quote_list(names[start:start + qbo.BATCH_SIZE])
                    for row in api.query_all(entity, where):
                        holders.setdefault(row["DisplayName"].lower(), []).append((entity, row))
        except qbo.QboError as error:
            self.env["qbo.sync.job"].browse([job.id for job in duplicates])._qbo_defer(error)
            return
        Binding = self.env["qbo.binding"]
        for job, (name, error) in duplicates.items():
            found = holders.get(name.lower(), [])
            same = [row for entity, row in found if entity == job.qbo_entity]
            others = [entity for entity, _row in found if entity != job.qbo_entity]
            code, message, detail = "6240", error.get("Message", ""), error.get("Detail", "")
            if same:
                row = same[0]
                taken = Binding.search([("connection_id", "=", connection.id), ("qbo_entity", "=", job.qbo_entity),
                                        ("qbo_id", "=", row["Id"]), ("id", "!=", job.binding_id.id)], limit=1)
                if taken:
                    # Name the Odoo record that holds it (and link it, see the job's conflict), not the binding.
                    job._qbo_fail(code, _("QuickBooks %(entity)s “%(name)s” (Id %(id)s) already has this name and "
                                          "is linked to the Odoo record %(record)s. Rename one of them and retry.",
                                          entity=job.qbo_entity, name=name, id=row["Id"],
                                          record=taken.record_name), "")
                    job.conflict_binding_id = taken
                elif connection.duplicate_name_policy == "link":
                    job._qbo_link_to(row)
                else:
                    job._qbo_fail(code, _("A QuickBooks %(entity)s named “%(name)s” already exists (Id %(id)s). "
                                          "Click “Link to it” to use that record, or rename this one in Odoo "
                                          "and retry.", entity=job.qbo_entity, name=name, id=row["Id"]), "")
                    job.conflict_qbo_id = row["Id"]
            elif others and others[0] != "Employee":
                suffix = self._qbo_name_suffix(connection)
                if suffix and suffix.strip() and not job.binding_id.name_suffix:
                    job.binding_id.name_suffix = suffix
                    job._qbo_requeue()
                else:
                    job._qbo_fail(code, _("A QuickBooks %(other)s is already named “%(name)s”, and QuickBooks "
                                          "names are unique across customers, vendors and employees. Set a name "
                                          "suffix for this case on the connection, or rename the partner, and "
                                          "retry.", other=others[0], name=name), "")
            elif others:
                job._qbo_fail(code, _("A QuickBooks employee is already named “%s”. Rename the partner and retry.",
                                      name), "")
            else:
                job._qbo_fail(code, message, detail)

    def _qbo_name_suffix(self, connection):
        raise NotImplementedError

    # ------------------------------------------------------------------ QuickBooks → Odoo
    def _qbo_from_qbo(self, connection, data):
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
            self._qbo_rank_field: 1,
        }
        for field in (self._qbo_tax_id_key, "BusinessNumber"):
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
            code = COUNTRY_ALIASES.get(country_name.upper(), country_name.upper())
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

    def _qbo_import_rows(self, run, step, rows):
        # Parents before their sub-customers, so that a sub-customer finds its parent's partner.
        rows = sorted(rows, key=lambda row: row.get("Level") or 0)
        todo = run._qbo_first_pass(step, rows, self._qbo_entity, "res.partner")
        matches = self.env["qbo.partner.matcher"]._qbo_match_rows(run.connection_id, todo, self._qbo_entity)
        by_id = {row["Id"]: row for row in rows}
        for row in todo:
            self._qbo_import_partner(run, step, row, matches[row["Id"]], by_id)

    def _qbo_import_partner(self, run, step, row, match, page_rows):
        """Link or create the partner of one row; the partner, or None if skipped or failed."""
        Partner = self.env["res.partner"].with_context(qbo_no_export=True)
        Binding = self.env["qbo.binding"]
        connection, entity = run.connection_id, self._qbo_entity
        if match["state"] == "ambiguous":
            names = ", ".join(Partner.browse(match["ids"]).mapped("display_name"))
            step._qbo_skip(row, _("several Odoo partners match (%s); link it with the match wizard", names))
            return None
        try:
            with self.env.cr.savepoint():
                if match["state"] == "matched":
                    partner = Partner.browse(match["ids"][0])
                    Binding._qbo_link(connection, partner, entity, row)
                    partner.write({self._qbo_rank_field: max(partner[self._qbo_rank_field], 1)})
                    step.linked_count += 1
                    return partner
                values = self._qbo_from_qbo(connection, row)
                parent_ref = (row.get("ParentRef") or {}).get("value")
                if parent_ref:
                    parent = self._qbo_parent_partner(run, step, parent_ref, page_rows)
                    if parent:
                        values["parent_id"] = parent.id
                        # A job site keeps its own address instead of inheriting the parent's.
                        values["type"] = "other" if values.get("street") else "contact"
                partner = Partner.create(values)
                Binding._qbo_link(connection, partner, entity, row, payload_hash=run._qbo_digest(partner, entity))
                step.created_count += 1
                return partner
        except (UserError, ValidationError, ValueError) as error:
            step._qbo_error(row, str(error))
            return None

    def _qbo_parent_partner(self, run, step, parent_id, page_rows):
        """The partner of a sub-customer's parent: linked already, or imported now, ahead of its own page.

        A parent on the same page came first (rows are sorted by level): if it has
        no partner now, it was skipped or failed, and the sub-customer goes without.
        """
        entity = self._qbo_entity
        binding = run._qbo_bound(entity, [parent_id], "res.partner").get(parent_id)
        if binding:
            return self.env["res.partner"].browse(binding.res_id)
        if parent_id in page_rows:
            return None
        found = run.connection_id._qbo_api().read_ids(entity, [parent_id])
        row = found[0] if found else None
        if row is None or (row.get("Active") is False and not run.include_inactive):
            return None
        match = self.env["qbo.partner.matcher"]._qbo_match_rows(run.connection_id, [row], entity)[row["Id"]]
        partner = self._qbo_import_partner(run, step, row, match, page_rows)
        if partner:
            step.imported_ahead = (step.imported_ahead or []) + [parent_id]
        return partner
