from odoo import _, api, fields, models

from .qbo_handler import batch_memo


class QboConnection(models.Model):
    """A connection's QuickBooks lists and the mappings documents need (the work lives in qbo_list_item.py
    and the qbo_*_mapping.py models)."""

    _inherit = "qbo.connection"

    qbo_book_close_date = fields.Date(
        "Books closed until", readonly=True, copy=False,
        help="QuickBooks refuses to create or change transactions dated on or before this day.")
    qbo_lists_updated_at = fields.Datetime("Lists read at", readonly=True, copy=False)
    push_products = fields.Boolean(
        "Push products automatically", default=False,
        help="Queue new and changed products for QuickBooks as Items as they are saved. Map the income and "
             "expense accounts first: a product whose account has no QuickBooks account fails with its name.")
    qbo_list_item_count = fields.Integer("QuickBooks lists", compute="_compute_qbo_mapping_counts")
    qbo_account_mapped_count = fields.Integer("Accounts mapped", compute="_compute_qbo_mapping_counts")
    qbo_account_suggested_count = fields.Integer(
        "Accounts to confirm", compute="_compute_qbo_mapping_counts",
        help="Accounts with a suggested QuickBooks account (similar name, or the only one of its type) that nobody "
             "confirmed yet.")
    qbo_account_ambiguous_count = fields.Integer("Accounts ambiguous", compute="_compute_qbo_mapping_counts")
    qbo_account_missing_count = fields.Integer("Accounts missing", compute="_compute_qbo_mapping_counts")
    qbo_account_todo_count = fields.Integer(
        "Accounts to map", compute="_compute_qbo_mapping_counts",
        help="Accounts a sync can touch that have no confirmed QuickBooks account: to confirm, ambiguous or "
             "missing.")
    qbo_account_unneeded_count = fields.Integer(
        "Accounts not needed yet", compute="_compute_qbo_mapping_counts",
        help="Accounts of the chart that nothing a sync sends uses yet; they are asked for once something does.")
    qbo_tax_unmapped_count = fields.Integer("Taxes to map", compute="_compute_qbo_mapping_counts")
    qbo_journal_unmapped_count = fields.Integer("Journals to map", compute="_compute_qbo_mapping_counts")
    qbo_term_unmapped_count = fields.Integer("Terms to map", compute="_compute_qbo_mapping_counts")

    def _compute_qbo_mapping_counts(self):
        ids = self._origin.ids   # the form's onchange computes on new records standing for saved ones

        def counts(model):
            groups = self.env[model]._read_group([("connection_id", "in", ids)],
                                                 ["connection_id", "state"], ["__count"])
            return {(connection.id, state): count for connection, state, count in groups}
        accounts = counts("qbo.account.mapping")
        taxes, journals, terms = counts("qbo.tax.mapping"), counts("qbo.journal.mapping"), counts("qbo.term.mapping")
        items = dict((connection.id, count) for connection, count in self.env["qbo.list.item"]._read_group(
            [("connection_id", "in", ids)], ["connection_id"], ["__count"]))
        for connection in self:
            key = connection._origin.id
            connection.qbo_list_item_count = items.get(key, 0)
            connection.qbo_account_mapped_count = accounts.get((key, "mapped"), 0)
            connection.qbo_account_suggested_count = accounts.get((key, "suggested"), 0)
            connection.qbo_account_ambiguous_count = accounts.get((key, "ambiguous"), 0)
            connection.qbo_account_missing_count = accounts.get((key, "missing"), 0)
            connection.qbo_account_todo_count = sum(accounts.get((key, s), 0)
                                                    for s in ("suggested", "ambiguous", "missing"))
            connection.qbo_account_unneeded_count = accounts.get((key, "unneeded"), 0)
            connection.qbo_tax_unmapped_count = sum(taxes.get((key, s), 0) for s in ("ambiguous", "missing"))
            connection.qbo_journal_unmapped_count = sum(journals.get((key, s), 0) for s in ("ambiguous", "missing"))
            connection.qbo_term_unmapped_count = sum(terms.get((key, s), 0) for s in ("ambiguous", "missing"))

    def _qbo_is_us(self):
        """US companies use the TAX/NON line codes; everyone else real tax codes per line."""
        self.ensure_one()
        return (self.qbo_country_code or self.company_id.country_id.code or "").upper() in ("US", "USA")

    def _qbo_home_currency(self):
        """The currency of the QuickBooks company's books (the Odoo company's until QuickBooks was read)."""
        self.ensure_one()
        return self.qbo_currency_code or self.company_id.currency_id.name

    def _qbo_currency_fields(self, currency, rate):
        """CurrencyRef and ExchangeRate (home units per ``currency`` unit) of a transaction in ``currency``: none
        in the home currency without multicurrency, no rate in the home currency."""
        home = self._qbo_home_currency()
        if currency.name == home and not self.qbo_multicurrency:
            return {}
        values = {"CurrencyRef": {"value": currency.name}}
        if currency.name != home:
            values["ExchangeRate"] = rate
        return values

    def _qbo_books_refusal(self, date, currency, what=None, hint=""):
        """Why QuickBooks' books refuse a transaction of ``date`` in ``currency`` (a sentence), or None.
        ``what`` names the document ("invoice"); ``hint`` is one more way out, for the closed period."""
        self.ensure_one()
        what = what or _("transaction")
        if self.qbo_book_close_date and date and date <= self.qbo_book_close_date:
            return _("QuickBooks' books are closed until %(closed)s, and this %(what)s is dated %(date)s: reopen the "
                     "period in QuickBooks (Account and settings → Advanced → Close the books)%(hint)s, then retry.",
                     closed=fields.Date.to_string(self.qbo_book_close_date), what=what,
                     date=fields.Date.to_string(date), hint=hint)
        home = self._qbo_home_currency()
        if currency.name != home and not self.qbo_multicurrency:
            return _("This %(what)s is in %(currency)s, but multicurrency is off in QuickBooks, whose books are in "
                     "%(home)s: turn multicurrency on in QuickBooks (Account and settings → Advanced) and click "
                     "Update lists, or issue it in %(home)s.", what=what, currency=currency.name, home=home)
        return None

    def _qbo_update_preferences(self):
        """The company's facts again (see _qbo_company_facts), written where they changed; a fact QuickBooks
        leaves out keeps the value read before."""
        self.ensure_one()
        values = self._qbo_company_facts()
        for key in ("qbo_company_name", "qbo_country_code", "qbo_currency_code"):
            values[key] = values[key] or self[key]
        changed = {key: value for key, value in values.items()
                   if (self[key] if key != "qbo_book_close_date" else fields.Date.to_string(self[key]))
                   != value}
        if changed:
            self.sudo().write(changed)

    def action_qbo_propose_mappings(self):
        """Propose QuickBooks accounts, taxes, terms and deposit accounts for everything not mapped by hand."""
        self.ensure_one()
        self._qbo_check_manager()
        if not self.env["qbo.list.item"].sudo().search_count([("connection_id", "=", self.id)]):
            self.env["qbo.list.item"].sudo()._qbo_update_lists(self)
        return self._qbo_toast(_("Mappings proposed"), self._qbo_propose_all(), "success")

    def _qbo_propose_all(self):
        """Propose every mapping, accounts first (journals follow their default accounts); say how each list
        stands."""
        self.ensure_one()
        for model in ("qbo.account.mapping", "qbo.journal.mapping", "qbo.tax.mapping", "qbo.term.mapping"):
            self.env[model].sudo()._qbo_propose(self)
        self.invalidate_recordset()
        lines = [_("Accounts: %(mapped)s mapped, %(suggested)s to confirm, %(ambiguous)s ambiguous, %(missing)s "
                   "missing (%(unneeded)s more not needed yet).", mapped=self.qbo_account_mapped_count,
                   suggested=self.qbo_account_suggested_count, ambiguous=self.qbo_account_ambiguous_count,
                   missing=self.qbo_account_missing_count, unneeded=self.qbo_account_unneeded_count)]
        for model, label in (("qbo.tax.mapping", _("Taxes")), ("qbo.journal.mapping", _("Bank and cash journals")),
                             ("qbo.term.mapping", _("Payment terms"))):
            rows = self.env[model].sudo().search([("connection_id", "=", self.id)])
            mapped = len(rows.filtered(lambda row: row.state == "mapped"))
            lines.append(_("%(list)s: %(mapped)s mapped, %(todo)s to map.", list=label, mapped=mapped,
                           todo=len(rows) - mapped))
        return " ".join(lines)

    def _qbo_open_mapping(self, model, name, extra_context=None):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": model, "name": name, "view_mode": "list",
                "domain": [("connection_id", "=", self.id)],
                "context": dict({"default_connection_id": self.id}, **(extra_context or {}))}

    def action_qbo_open_lists(self):
        action = self._qbo_open_mapping("qbo.list.item", _("QuickBooks lists"))
        action["context"]["search_default_group_list_type"] = 1
        return action

    def action_qbo_open_account_mapping(self):
        # What is left to do first; "Not needed yet" and the mapped rows are a filter away.
        return self._qbo_open_mapping("qbo.account.mapping", _("Account mapping"),
                                      {"search_default_filter_todo": 1})

    def action_qbo_open_tax_mapping(self):
        return self._qbo_open_mapping("qbo.tax.mapping", _("Tax mapping"))

    def action_qbo_open_journal_mapping(self):
        return self._qbo_open_mapping("qbo.journal.mapping", _("Journal mapping"))

    def action_qbo_open_term_mapping(self):
        return self._qbo_open_mapping("qbo.term.mapping", _("Payment term mapping"))

    def _qbo_forget_lists(self):
        """Another QuickBooks company will be linked: its lists and the mappings to them mean nothing there."""
        for model in ("qbo.account.mapping", "qbo.journal.mapping", "qbo.tax.mapping", "qbo.term.mapping",
                      "qbo.list.item"):
            self.env[model].sudo().with_context(active_test=False).search([("connection_id", "in", self.ids)]).unlink()
        self.write({"qbo_book_close_date": False, "qbo_lists_updated_at": False})

    @api.model
    def _cron_qbo_update_lists(self):
        """Daily: refresh every connected company's lists, one company's failure not stopping the others."""
        connections = self.sudo().search([("state", "=", "connected")])
        self._qbo_each(connections, lambda connection: self.env["qbo.list.item"].sudo()._qbo_update_lists(connection),
                       "reading the lists")

    # Public helpers for the documents' payloads ---------------------------------------------
    def _qbo_account_ref(self, account):
        """``{"value", "name"}`` of the QuickBooks account mapped to ``account``, or a UserError saying where
        to map it."""
        return batch_memo(self.env, ("account_ref", self.id, account.id),
                          lambda: self.env["qbo.account.mapping"].sudo()._qbo_ref(self, account))

    def _qbo_tax_code_ref(self, tax):
        """A line's TaxCodeRef: the mapped TaxCode outside the US, ``TAX`` / ``NON`` in the US."""
        return self.env["qbo.tax.mapping"].sudo()._qbo_line_ref(self, tax)

    def _qbo_txn_tax_code_ref(self, taxes):
        """US without automated sales tax: the TxnTaxCodeRef of a document with ``taxes``, or None."""
        return self.env["qbo.tax.mapping"].sudo()._qbo_txn_ref(self, taxes)

    def _qbo_check_tax_mapping(self, taxes):
        """Raise a UserError naming every one of ``taxes`` without a usable mapping."""
        return self.env["qbo.tax.mapping"].sudo()._qbo_check(self, taxes)

    def _qbo_term_ref(self, term):
        """The QuickBooks Term mapped to the Odoo payment term ``term``, or None."""
        return self.env["qbo.term.mapping"].sudo()._qbo_term_ref(self, term)

    def _qbo_payment_term_from_ref(self, ref):
        """The Odoo payment term for a QuickBooks SalesTermRef / TermRef, or an empty recordset."""
        return self.env["qbo.term.mapping"].sudo()._qbo_term_from_ref(self, ref).with_env(self.env)

    def _qbo_tax_mode(self):
        """global: a TaxCode per line; us_ast: TAX/NON, QuickBooks computes; us_manual: TAX/NON plus a
        TxnTaxCodeRef per document."""
        self.ensure_one()
        if not self._qbo_is_us():
            return "global"
        return "us_ast" if self.qbo_automated_sales_tax else "us_manual"
