import difflib
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .qbo_handler_account import ACCOUNT_TYPES
from .qbo_mapping_mixin import KEPT_METHODS

# Proposals by number or exact name are sure; the others are suggestions a person confirms.
CONFIDENCE_CODE, CONFIDENCE_NAME, CONFIDENCE_TYPE_ONLY = 100, 95, 30
SIMILAR_ENOUGH = 0.5      # name similarity (0..1) from which a name is "close"
CLEAR_LEAD = 0.15         # ... and by how much it must beat the next candidate to be suggested alone
CANDIDATES_KEPT = 8
# Words that say nothing about what an account is for, and words accountants use for the same thing.
STOP_WORDS = {"account", "accounts", "of", "and", "or", "the", "a", "an", "for", "to", "in", "on", "from", "other"}
PHRASES = [("cost of goods sold", "cogs"), ("cost of sales", "cogs"), ("a/r", "receivable"), ("a/p", "payable"),
           ("foreign exchange", "fx"), ("exchange rate", "fx")]
SYNONYMS = [
    ("checking", "bank", "chequing"), ("receivable", "receivables", "debtors"), ("payable", "payables", "creditors"),
    ("sales", "sale", "income", "revenue", "revenues", "turnover"), ("fee", "fees", "charge", "charges"),
    ("payroll", "salary", "salaries", "wage", "wages"), ("rent", "lease", "rental"),
    ("expense", "expenses", "cost", "costs"), ("tax", "taxes", "vat", "gst", "hst"),
    ("equipment", "equipments", "machinery"), ("discount", "discounts"), ("purchase", "purchases"),
    ("card", "cards"), ("deposit", "deposits"), ("asset", "assets"), ("liability", "liabilities"),
    ("loss", "losses"), ("gain", "gains"), ("loan", "loans"), ("vehicle", "vehicles", "automobile", "auto", "car"),
]
CANONICAL = {word: group[0] for group in SYNONYMS for word in group}


def name_tokens(name):
    """The words of an account name that say what it is for, each in one canonical form."""
    text = " %s " % (name or "").casefold()
    for phrase, replacement in PHRASES:
        text = text.replace(phrase, " %s " % replacement)
    words = re.findall(r"[0-9a-z]+", text)
    return {CANONICAL.get(word, word) for word in words if len(word) > 1 and word not in STOP_WORDS}


def name_similarity(first, second):
    """0..1: shared words (synonyms counted as one), or nearly the same spelling."""
    a, b = name_tokens(first), name_tokens(second)
    shared = 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0
    spelling = difflib.SequenceMatcher(None, (first or "").casefold(), (second or "").casefold()).ratio()
    return max(shared, spelling if spelling >= 0.85 else 0.0)


class QboAccountMapping(models.Model):
    """Which QuickBooks account each Odoo account of the company posts to.

    Only the accounts a sync can touch are asked for (``needed``); the rest of
    the chart waits as "Not needed yet". A proposal by number or exact name is
    a mapping; one by similar name or by type alone is a suggestion, used by
    nothing until a person confirms it.
    """

    _name = "qbo.account.mapping"
    _inherit = ["qbo.mapping.mixin"]
    _description = "QuickBooks Online account mapping"
    _order = "account_code, id"

    account_id = fields.Many2one("account.account", "Odoo account", required=True, ondelete="cascade", index=True)
    account_code = fields.Char("Code", readonly=True, help="The Odoo account's code, as of the last proposal.")
    account_type = fields.Selection(related="account_id.account_type", string="Odoo type")
    qbo_account_id = fields.Many2one(
        "qbo.list.item", "QuickBooks account", ondelete="restrict", index=True,
        domain="[('connection_id', '=', connection_id), ('list_type', '=', 'account')]",
        help="The QuickBooks account this Odoo account's amounts go to. Several Odoo accounts may share one. "
             "The dropdown offers the proposal's candidates first.")
    qbo_account_type = fields.Char(related="qbo_account_id.account_type", string="QuickBooks type")
    error_message = fields.Char("Last error", readonly=True,
                                help="Why QuickBooks refused to create this account the last time.")
    needed = fields.Boolean(
        "Needed for syncing", default=True, index=True,
        help="Documents sent to QuickBooks can post to this account: it is an income, expense, receivable, payable, "
             "bank, cash or credit card account, or a product, journal or tax uses it. The others are not asked "
             "for until something uses them.")
    need_reason = fields.Char("Why needed", readonly=True, help="What makes a sync touch this account.")
    suggested = fields.Boolean(
        "To confirm", readonly=True,
        help="The proposal found this QuickBooks account by a similar name or by its type alone: nothing uses it "
             "until a person confirms it.")
    confidence = fields.Integer(
        readonly=True, aggregator=None,
        help="How sure the proposal is, in percent: 100 the same number, 95 the same name, 50 to 90 a similar "
             "name, 30 the only QuickBooks account of the type.")
    candidate_ids = fields.Many2many(
        "qbo.list.item", "qbo_account_mapping_candidate_rel", "mapping_id", "list_item_id",
        string="Candidate accounts", readonly=True,
        help="The QuickBooks accounts that could fit, closest first; the dropdown offers them first.")

    _sql_constraints = [("account_unique", "unique(connection_id, account_id)",
                         "This Odoo account already has a mapping for this QuickBooks company.")]

    @api.depends("account_id.code", "account_id.name")
    def _compute_display_name(self):
        # A Sync Queue job creating a QuickBooks account names the Odoo account, not "qbo.account.mapping,12".
        for row in self:
            row.display_name = row.account_id.display_name or row.account_code or ""

    @api.depends("qbo_account_id", "suggested", "needed", "candidate_count")
    def _compute_state(self):
        for row in self:
            if row.qbo_account_id:
                row.state = "suggested" if row.suggested else "mapped"
            elif not row.needed:
                row.state = "unneeded"
            else:
                row.state = "ambiguous" if row.candidate_count > 1 else "missing"

    def _qbo_is_mapped(self):
        return bool(self.qbo_account_id) and not self.suggested

    @api.model
    def _qbo_target_fields(self):
        return {"qbo_account_id"}

    def write(self, vals):
        if not self.env.context.get("qbo_proposal") and "qbo_account_id" in vals:
            # A person picked the account: it is a mapping, not a suggestion any more.
            vals = dict(vals, suggested=False, confidence=100 if vals["qbo_account_id"] else 0)
        result = super().write(vals)
        if {"qbo_account_id", "suggested"} & set(vals):
            self._qbo_refresh_journals()
        return result

    def _qbo_refresh_journals(self):
        """Bank and cash journals deposit to their default account's mapping: follow a change of it at once,
        so the journal counters never wait for the next proposal."""
        if self.env.context.get("qbo_proposing") or not self:
            return   # the journals are proposed right after the accounts
        journals = self.env["account.journal"].sudo().search([("default_account_id", "in", self.account_id.ids),
                                                             ("type", "in", ("bank", "cash"))])
        if journals:
            for connection in self.connection_id:
                self.env["qbo.journal.mapping"].sudo()._qbo_propose(connection)

    # ------------------------------------------------------------------ what a sync can touch
    @api.model
    def _qbo_company_accounts(self, connection):
        Account = self.env["account.account"].with_company(connection.company_id)
        return Account.search(Account._check_company_domain(connection.company_id))

    @api.model
    def _qbo_used_accounts(self, connection):
        """({account id: why}, {ids of the accounts taxes post to}) for the accounts the company's journals,
        taxes and products use."""
        company = connection.company_id
        used = {}
        Journal = self.env["account.journal"].with_company(company)
        for journal in Journal.search(Journal._check_company_domain(company) +
                                      [("type", "in", ("sale", "purchase", "bank", "cash", "credit"))]):
            if journal.default_account_id:
                used.setdefault(journal.default_account_id.id, _("the journal %s posts to it", journal.name))
        Tax = self.env["account.tax"].with_company(company)
        tax_lines = Tax.search(Tax._check_company_domain(company)).repartition_line_ids.filtered("account_id")
        for line in tax_lines:
            used.setdefault(line.account_id.id, _("the tax %s posts to it", line.tax_id.name))
        for category in self.env["product.category"].with_company(company).search([]):
            for account in (category.property_account_income_categ_id, category.property_account_expense_categ_id):
                if account:
                    used.setdefault(account.id, _("the product category %s uses it", category.display_name))
        Template = self.env["product.template"].with_company(company)
        for field in ("property_account_income_id", "property_account_expense_id"):
            for account, count in Template._read_group([(field, "!=", False)], [field], ["__count"]):
                used.setdefault(account.id, _("%s product(s) use it", count))
        return used, set(tax_lines.account_id.ids)

    # ------------------------------------------------------------------ proposals
    @api.model
    def _qbo_propose(self, connection):
        """Propose a QuickBooks account for every Odoo account a sync can touch: by number, then exact name,
        then a similar name among the QuickBooks accounts of its type. The rest of the chart is mapped only by
        number or name."""
        accounts = self._qbo_company_accounts(connection)
        rows = self._qbo_rows(connection, "account_id", accounts)
        qbo_accounts = self.env["qbo.list.item"].search([("connection_id", "=", connection.id),
                                                         ("list_type", "=", "account"), ("active", "=", True)])
        index = {"num": {}, "name": {}, "type": {}}
        for qbo_account in qbo_accounts:
            if qbo_account.acct_num:
                index["num"].setdefault(qbo_account.acct_num.strip(), []).append(qbo_account)
            index["name"].setdefault(qbo_account.name.strip().casefold(), []).append(qbo_account)
            index["type"].setdefault(qbo_account.account_type, []).append(qbo_account)
        home = connection._qbo_home_currency()
        used, tax_accounts = self._qbo_used_accounts(connection)
        by_type = self._qbo_type_reasons()
        Proposing = self.with_context(qbo_proposal=True, qbo_proposing=True)
        for row in rows:
            account = row.account_id.with_company(connection.company_id)
            reason = used.get(account.id) or by_type.get(account.account_type)
            values = {"account_code": account.code, "needed": bool(reason), "need_reason": reason or False}
            if not self._qbo_kept(row):
                values.update(self._qbo_proposal(account, index, home, bool(reason), account.id in tax_accounts))
            changed = {key: value for key, value in values.items() if self._qbo_differs(row, key, value)}
            if changed:
                Proposing.browse(row.id).write(changed)
        return rows

    @api.model
    def _qbo_type_reasons(self):
        """The Odoo account types documents post to, so a sync can touch any of their accounts; accounts of the
        other types are asked for only when a product, a journal or a tax uses them."""
        return {"income": _("an income account"), "income_other": _("an income account"),
                "expense": _("an expense account"), "expense_direct_cost": _("an expense account"),
                "asset_receivable": _("a receivable account"), "liability_payable": _("a payable account"),
                "asset_cash": _("a bank or cash account"), "liability_credit_card": _("a credit card account")}

    @api.model
    def _qbo_differs(self, row, key, value):
        """Whether writing ``value`` would change ``row`` (proposals write only what changed)."""
        current = row[key]
        if key == "candidate_ids":
            return set(current.ids) != set(value[0][2])
        if isinstance(current, models.BaseModel):
            return current.id != (value or False)
        return (current or False) != (value or False)

    @api.model
    def _qbo_kept(self, row):
        """A proposal never replaces a choice: made by hand, created in QuickBooks, or a suggestion confirmed."""
        return bool(row.qbo_account_id) and (row.method in KEPT_METHODS or not row.suggested and
                                             row.method in ("similar", "type"))

    @api.model
    def _qbo_typed_candidates(self, account, index, home, for_tax=False):
        """(QuickBooks type, the active QuickBooks accounts of the types ``account``'s type may post to); for an
        account taxes post to, the tax accounts among them (detail type SalesTaxPayable, GlobalTaxPayable...)."""
        currency = account.currency_id.name or home
        types = [(qbo_type, sub) for odoo_type, qbo_type, sub, _create, _imported in ACCOUNT_TYPES
                 if odoo_type == account.account_type]
        found = []
        for qbo_type, sub_type in types:
            found += [candidate for candidate in index["type"].get(qbo_type, [])
                      if (not sub_type or candidate.account_sub_type == sub_type)
                      and (candidate.currency_code or home) == currency]
        if for_tax:
            found = [candidate for candidate in found if "tax" in (candidate.account_sub_type or "").lower()
                     and "payroll" not in candidate.account_sub_type.lower()] or found
        return (types[0][0] if types else None), found

    @api.model
    def _qbo_proposal(self, account, index, home, needed, for_tax=False):
        """The values proposing a QuickBooks account for ``account`` (see _qbo_propose)."""
        def result(target=None, method=False, confidence=0, note=False, candidates=(), suggested=False, count=None):
            candidates = list(candidates)
            return {"qbo_account_id": target.id if target else False, "method": method, "confidence": confidence,
                    "note": note, "suggested": suggested, "error_message": False,
                    "candidate_count": 1 if target else (len(candidates) if count is None else count),
                    "candidate_ids": [fields.Command.set([candidate.id for candidate in candidates])]}

        code = (account.code or "").strip()
        name = (account.name or "").strip()
        for key, method, confidence, note, several in (
                (code, "code", CONFIDENCE_CODE, _("Same number, %s", code),
                 _("Several QuickBooks accounts have the number %s: pick one.", code)),
                (name.casefold(), "name", CONFIDENCE_NAME, _("Same name"),
                 _("Several QuickBooks accounts are called %s: pick one.", name))):
            found = index["num" if method == "code" else "name"].get(key) if key else None
            if found and len(found) == 1:
                return result(found[0], method, confidence, note, found)
            if found:
                return result(note=several, candidates=found)
        if not needed:
            return result(note=_("Nothing a sync sends uses this account yet."))
        qbo_type, typed = self._qbo_typed_candidates(account, index, home, for_tax)
        if not qbo_type:
            return result(note=_("Odoo's type %s has no QuickBooks counterpart: pick an account.",
                                 account.account_type))
        if not typed:
            return result(note=_("No QuickBooks account of type %s: create it in QuickBooks.", qbo_type))
        scored = sorted(((name_similarity(name, candidate.name), candidate) for candidate in typed),
                        key=lambda pair: (-pair[0], pair[1].name))
        best, runner_up = scored[0][0], (scored[1][0] if len(scored) > 1 else 0.0)
        if best >= SIMILAR_ENOUGH and best - runner_up >= CLEAR_LEAD:
            target = scored[0][1]
            if len(typed) == 1:
                note = _("Name close to “%(qbo)s”, the only QuickBooks %(type)s account: confirm it.",
                         qbo=target.name, type=qbo_type)
            else:
                note = _("Name close to “%(qbo)s”, among the %(count)s QuickBooks %(type)s accounts: confirm it.",
                         qbo=target.name, count=len(typed), type=qbo_type)
            return result(target, "similar", min(90, int(round(40 + 50 * best))), note, [target], suggested=True)
        if len(typed) == 1:
            return result(typed[0], "type", CONFIDENCE_TYPE_ONLY, _(
                "The only QuickBooks %(type)s account, but the names differ: confirm it or pick another.",
                type=qbo_type), typed, suggested=True)
        # Several accounts of the type and no clear winner: name the closest ones and offer them first; with no
        # similar name at all, every account of the type is a candidate (the type is what narrows them).
        close = [candidate for score, candidate in scored if score > 0][:CANDIDATES_KEPT]
        if close:
            note = _("%(count)s QuickBooks %(type)s accounts; the closest names: %(names)s. Pick one.",
                     count=len(typed), type=qbo_type, names=", ".join(candidate.name for candidate in close[:5]))
        else:
            note = _("%(count)s QuickBooks %(type)s accounts, none with a similar name: pick one, or create the "
                     "account in QuickBooks.", count=len(typed), type=qbo_type)
        return result(note=note, candidates=close or [candidate for _score, candidate in scored], count=len(typed))

    # ------------------------------------------------------------------ people's decisions
    def action_qbo_confirm_suggestions(self):
        """Confirm the suggestions among these rows: they become mappings, kept by later proposals."""
        self.connection_id._qbo_check_manager()
        rows = self.filtered(lambda row: row.suggested and row.qbo_account_id).sudo()
        rows.with_context(qbo_proposal=True).write({"suggested": False})
        if not rows:
            message = _("None of the selected rows is a suggestion to confirm.")
        else:
            message = _("%(count)s suggestion(s) confirmed: %(names)s.", count=len(rows), names=", ".join(
                "%s → %s" % (row.account_id.display_name, row.qbo_account_id.display_name) for row in rows[:10]))
        return self.env["qbo.connection"]._qbo_toast(_("Account mapping"), message,
                                                      "success" if rows else "warning")

    # ------------------------------------------------------------------ creating in QuickBooks
    def action_qbo_create_in_quickbooks(self):
        """Create QuickBooks accounts for the chosen unmapped rows through the outbox, and map them.

        They are sent at once, 30 a batch call, as Sync now sends; under the same
        request ids, a second click after a lost answer creates nothing twice.
        """
        connections = self.connection_id
        if not connections:
            return True
        connections._qbo_check_manager()
        rows = self.filtered(lambda row: not row.qbo_account_id).sudo()
        Job = self.env["qbo.sync.job"].sudo()
        outcomes = {"done": 0, "failed": [], "waiting": 0}
        for connection in rows.connection_id:
            mine = rows.filtered(lambda row: row.connection_id == connection)
            jobs = Job._qbo_enqueue(connection, mine, "Account")
            summary = Job._qbo_process_inline(connection, jobs)
            for job in jobs:
                row = self.browse(job.res_id)
                if job.state == "failed":
                    row.error_message = job.error_message
                    outcomes["failed"].append(row)
                elif job.state == "done":
                    outcomes["done"] += 1
                else:
                    outcomes["waiting"] += 1
            if summary.get("reason"):
                outcomes["reason"] = summary["reason"]
        message = _("%(done)s accounts created in QuickBooks and mapped.", done=outcomes["done"])
        if outcomes["waiting"]:
            message += " " + _("%(count)s queued: they will be sent in the background (%(reason)s).",
                               count=outcomes["waiting"], reason=outcomes.get("reason") or _("QuickBooks is busy"))
        if outcomes["failed"]:
            message += " " + _("%(count)s failed: %(errors)s", count=len(outcomes["failed"]), errors="; ".join(
                "%s: %s" % (row.account_id.display_name, row.error_message) for row in outcomes["failed"][:10]))
        return connections[:1]._qbo_toast(_("Accounts created in QuickBooks"), message,
                                          "warning" if outcomes["failed"] or outcomes["waiting"] else "success")

    # ------------------------------------------------------------------ the helper documents call
    @api.model
    def _qbo_ref(self, connection, account):
        row = self.search([("connection_id", "=", connection.id), ("account_id", "=", account.id)], limit=1)
        name = account.with_company(connection.company_id).display_name
        if row.qbo_account_id and row.suggested:
            raise UserError(_("The Odoo account %(account)s has a suggested QuickBooks account, %(qbo)s, that nobody "
                              "confirmed yet. Confirm it (or pick another) in Invoicing → Configuration → "
                              "QuickBooks Online → Account Mapping.", account=name,
                              qbo=row.qbo_account_id.display_name))
        if not row.qbo_account_id:
            raise UserError(_("The Odoo account %(account)s has no QuickBooks account. Map it in Invoicing → "
                              "Configuration → QuickBooks Online → Account Mapping (or click Propose again on "
                              "the QuickBooks Online connection).", account=name))
        if not row.qbo_account_id.active:
            raise UserError(_("The Odoo account %(account)s is mapped to the QuickBooks account %(qbo)s, which is "
                              "inactive in QuickBooks. Map it to another one in Invoicing → Configuration → "
                              "QuickBooks Online → Account Mapping.", account=name,
                              qbo=row.qbo_account_id.display_name))
        return {"value": row.qbo_account_id.qbo_id, "name": row.qbo_account_id.name}
