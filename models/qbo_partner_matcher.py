import re
from collections import defaultdict

from odoo import api, models
from odoo.tools import email_normalize_all

# QuickBooks answers most stored tax IDs masked ("XXXXXX4321"): such a value proves nothing.
MASKED = re.compile(r"^[X*•]{3,}")
TAX_ID_FIELDS = {"Customer": ("PrimaryTaxIdentifier", "BusinessNumber"),
                 "Vendor": ("TaxIdentifier", "BusinessNumber")}
CRITERIA = ("email", "name", "vat")   # strongest first


def normalize_name(name):
    return " ".join((name or "").split()).casefold()


def tax_id_keys(value):
    """Comparable forms of a tax ID: letters and digits only, with and without a country prefix."""
    key = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    if not key or MASKED.match(key):
        return set()
    keys = {key}
    if len(key) > 4 and key[:2].isalpha() and key[2].isdigit():
        keys.add(key[2:])
    return keys


class QboPartnerMatcher(models.AbstractModel):
    """Pairs Odoo partners with QuickBooks customers or vendors by the connection's matching policy.

    Criteria are tried strongest first (email, display name, tax ID); the first
    that finds candidates decides, and the later ones only narrow several
    candidates down. QuickBooks objects or partners already linked for this type
    are never proposed again, and when two sources claim the same target the one
    that agrees on more criteria keeps it (a tie leaves both ambiguous).
    """

    _name = "qbo.partner.matcher"
    _description = "QuickBooks Online partner matching"

    # ------------------------------------------------------------------ keys
    @api.model
    def _qbo_criteria(self, connection):
        switches = {"email": connection.match_partner_email, "name": connection.match_partner_name,
                    "vat": connection.match_partner_vat}
        return [criterion for criterion in CRITERIA if switches[criterion]]

    @api.model
    def _qbo_row_keys(self, row, entity):
        """Match keys of a QuickBooks Customer or Vendor (its JSON)."""
        email = (row.get("PrimaryEmailAddr") or {}).get("Address") or ""
        vat = set()
        for field in TAX_ID_FIELDS.get(entity, ()):
            vat |= tax_id_keys(row.get(field))
        return {"email": set(email_normalize_all(email)), "name": {normalize_name(row.get("DisplayName"))} - {""},
                "vat": vat}

    @api.model
    def _qbo_partner_keys(self, partner):
        display_name = self.env["qbo.handler.customer"]._qbo_display_name(partner)
        names = {normalize_name(partner.name), normalize_name(display_name)} - {""}
        return {"email": set(email_normalize_all(partner.email or "")), "name": names, "vat": tax_id_keys(partner.vat)}

    # ------------------------------------------------------------------ the core, both directions
    @api.model
    def _qbo_index(self, keys_by_id):
        index = {criterion: defaultdict(set) for criterion in CRITERIA}
        for target_id, keys in keys_by_id.items():
            for criterion in CRITERIA:
                for key in keys[criterion]:
                    index[criterion][key].add(target_id)
        return index

    @api.model
    def _qbo_pick(self, keys, index, criteria, excluded=frozenset()):
        """(candidate ids, deciding criterion) for one source's keys."""
        def hits(criterion):
            found = set()
            for key in keys[criterion]:
                found |= index[criterion].get(key, set())
            return found - excluded
        for position, criterion in enumerate(criteria):
            found = hits(criterion)
            if not found:
                continue
            for later in criteria[position + 1:]:
                if len(found) == 1:
                    break
                narrowed = found & hits(later)
                if narrowed:
                    found = narrowed
            return found, criterion
        return set(), False

    @api.model
    def _qbo_resolve(self, sources, targets, criteria):
        """Match every source (id → keys) against the targets (id → keys).

        Returns {source id: {"state": matched|ambiguous|new, "ids": [target ids], "criterion": str|False}}.
        """
        index = self._qbo_index(targets)
        picks = {source_id: self._qbo_pick(keys, index, criteria) for source_id, keys in sources.items()}
        claims = defaultdict(list)
        for source_id, (found, _criterion) in picks.items():
            if len(found) == 1:
                claims[next(iter(found))].append(source_id)
        contested = {target_id for target_id, claimants in claims.items() if len(claimants) > 1}
        results = {}
        for source_id, (found, criterion) in picks.items():
            results[source_id] = self._qbo_result(found, criterion)
        for target_id in contested:
            claimants = claims[target_id]
            scores = {source_id: self._qbo_score(sources[source_id], targets[target_id], criteria)
                      for source_id in claimants}
            best = max(scores.values())
            winners = [source_id for source_id in claimants if scores[source_id] == best]
            for source_id in claimants:
                if source_id in winners:
                    if len(winners) > 1:   # equally good claims: a person must choose
                        results[source_id]["state"] = "ambiguous"
                    continue
                # A better match took this target: look again without the contested ones.
                found, criterion = self._qbo_pick(sources[source_id], index, criteria, excluded=contested)
                results[source_id] = self._qbo_result(found, criterion)
        return results

    @api.model
    def _qbo_result(self, found, criterion):
        state = "new" if not found else "matched" if len(found) == 1 else "ambiguous"
        return {"state": state, "ids": sorted(found, key=str), "criterion": criterion}

    @api.model
    def _qbo_score(self, keys, target_keys, criteria):
        return sum(1 for criterion in criteria if keys[criterion] & target_keys[criterion])

    # ------------------------------------------------------------------ Odoo partners → QuickBooks
    @api.model
    def _qbo_match(self, connection, partners, entity):
        """Propose a QuickBooks ``entity`` (Customer or Vendor) for each partner.

        Reads the QuickBooks list in pages of 1,000 (one call per page, whatever
        the number of partners). Returns ``(results, rows)``: ``results`` maps a
        partner id to {"state": linked|matched|ambiguous|new, "ids": [QBO Ids],
        "criterion"}, ``rows`` maps a QBO Id to its JSON.
        """
        rows = {row["Id"]: row for row in connection._qbo_api().query_all(entity, where="Active = true")}
        bindings = self.env["qbo.binding"].search([
            ("connection_id", "=", connection.id), ("res_model", "=", "res.partner"), ("qbo_entity", "=", entity),
            ("qbo_id", "!=", False)])
        bound_qbo_ids = set(bindings.mapped("qbo_id"))
        linked = {binding.res_id: binding.qbo_id for binding in bindings}
        results = {partner_id: {"state": "linked", "ids": [qbo_id], "criterion": False}
                   for partner_id, qbo_id in linked.items() if partner_id in partners.ids}
        sources = {partner.id: self._qbo_partner_keys(partner) for partner in partners if partner.id not in linked}
        targets = {qbo_id: self._qbo_row_keys(row, entity) for qbo_id, row in rows.items()
                   if qbo_id not in bound_qbo_ids}
        results.update(self._qbo_resolve(sources, targets, self._qbo_criteria(connection)))
        return results, rows

    # ------------------------------------------------------------------ QuickBooks → Odoo partners
    @api.model
    def _qbo_match_rows(self, connection, rows, entity):
        """Find the Odoo partner of each QuickBooks row (its JSON), for an import.

        Looks candidates up with three queries per call, whatever the number of
        rows; partners already linked to a QuickBooks ``entity`` are left out.
        Returns {QBO Id: {"state", "ids": [partner ids], "criterion"}}.
        """
        criteria = self._qbo_criteria(connection)
        sources = {row["Id"]: self._qbo_row_keys(row, entity) for row in rows}
        wanted = {criterion: set().union(*(keys[criterion] for keys in sources.values())) if sources else set()
                  for criterion in CRITERIA}
        self.env.flush_all()
        partner_ids = set()
        if "email" in criteria and wanted["email"]:
            self.env.cr.execute("SELECT id FROM res_partner WHERE email_normalized = ANY(%s)",
                                [list(wanted["email"])])
            partner_ids |= {row[0] for row in self.env.cr.fetchall()}
        if "name" in criteria and wanted["name"]:
            self.env.cr.execute("SELECT id FROM res_partner WHERE lower(name) = ANY(%s)",
                                [[name.lower() for name in wanted["name"]]])
            partner_ids |= {row[0] for row in self.env.cr.fetchall()}
        if "vat" in criteria and wanted["vat"]:
            self.env.cr.execute("""SELECT id FROM res_partner
                                    WHERE upper(regexp_replace(vat, '[^0-9A-Za-z]', '', 'g')) = ANY(%s)""",
                                [list(wanted["vat"])])
            partner_ids |= {row[0] for row in self.env.cr.fetchall()}
        taken = set(self.env["qbo.binding"].search([
            ("connection_id", "=", connection.id), ("res_model", "=", "res.partner"), ("qbo_entity", "=", entity),
            ("qbo_id", "!=", False), ("res_id", "in", list(partner_ids))]).mapped("res_id"))
        company = connection.company_id
        partners = self.env["res.partner"].browse(sorted(partner_ids - taken)).filtered(
            lambda partner: partner.active and (not partner.company_id or partner.company_id == company))
        targets = {partner.id: self._qbo_partner_keys(partner) for partner in partners}
        return self._qbo_resolve(sources, targets, criteria)
