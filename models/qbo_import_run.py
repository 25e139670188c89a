import logging
import time

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import qbo
from .qbo_query import PAGE_SIZE

_logger = logging.getLogger(__name__)

CRON_BUDGET_SECONDS = 240   # one cron run imports pages for this long, then hands over to the next
# QuickBooks AccountType → the Odoo account type an imported account gets.
ODOO_ACCOUNT_TYPE = {
    "Bank": "asset_cash", "Accounts Receivable": "asset_receivable", "Other Current Asset": "asset_current",
    "Fixed Asset": "asset_fixed", "Other Asset": "asset_non_current", "Accounts Payable": "liability_payable",
    "Credit Card": "liability_credit_card", "Other Current Liability": "liability_current",
    "Long Term Liability": "liability_non_current", "Equity": "equity", "Income": "income",
    "Other Income": "income_other", "Expense": "expense", "Other Expense": "expense",
    "Cost of Goods Sold": "expense_direct_cost",
}


class QboImportRun(models.Model):
    """An initial import of QuickBooks lists into Odoo: link what exists, create the rest.

    Each step reads its list a page (1,000 rows) at a time and saves its
    position with the page's records, so an interrupted run resumes where the
    last saved page ended. Rows already linked are skipped, so nothing is ever
    imported twice. Records are created with ``qbo_no_export`` so that nothing
    travels back to QuickBooks.

    Steps come from ``_qbo_import_steps()``; a step for entity ``X`` is handled
    by ``_qbo_import_rows_x(step, rows)``. To import another list (e.g.
    accounts), override both.
    """

    _name = "qbo.import.run"
    _description = "QuickBooks Online initial import"
    _order = "id desc"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    state = fields.Selection([("running", "Running"), ("done", "Done"), ("cancelled", "Cancelled")],
                             default="running", required=True, index=True)
    in_background = fields.Boolean("In the background", help="Run by the scheduled action, a page per transaction.")
    include_inactive = fields.Boolean("Inactive records included",
                                      help="Also import records made inactive in QuickBooks, as archived.")
    step_ids = fields.One2many("qbo.import.run.step", "run_id", string="Steps")
    last_error = fields.Text(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    linked_count = fields.Integer("Linked", compute="_compute_counts")
    created_count = fields.Integer("Created", compute="_compute_counts")
    skipped_count = fields.Integer("Skipped", compute="_compute_counts")
    error_count = fields.Integer("Errors", compute="_compute_counts")

    @api.depends("step_ids.linked_count", "step_ids.created_count", "step_ids.skipped_count",
                 "step_ids.error_count")
    def _compute_counts(self):
        for run in self:
            for name in ("linked_count", "created_count", "skipped_count", "error_count"):
                run[name] = sum(run.step_ids.mapped(name))

    @api.depends("connection_id", "create_date")
    def _compute_display_name(self):
        for run in self:
            run.display_name = _("Import into %(company)s of %(date)s", company=run.company_id.name or "",
                                 date=fields.Datetime.to_string(run.create_date) if run.create_date else "")

    # ------------------------------------------------------------------ steps
    @api.model
    def _qbo_import_steps(self):
        """(entity, label) of each list an import reads, in order.

        Lists others depend on come first: items name their income and expense
        accounts, so accounts come before them.
        """
        return [("Account", _("Accounts")), ("Customer", _("Customers")), ("Vendor", _("Vendors")),
                ("Item", _("Products"))]

    @api.model
    def _qbo_import_query(self, entity):
        """(WHERE, ORDERBY) of a step's query. Inactive rows are read too (and skipped or archived) so that
        a record deactivated in QuickBooks between two pages never shifts the positions; a fixed order by Id
        puts records created meanwhile at the end."""
        return "Active IN (true, false)", "Id"

    @api.model
    def _qbo_start(self, connection, include_inactive=False, in_background=False):
        """The connection's unfinished import, or a new one: one import at a time per company."""
        run = self.search([("connection_id", "=", connection.id), ("state", "=", "running")], limit=1)
        if run:
            run.write({"in_background": in_background})
            return run
        return self.create({
            "connection_id": connection.id, "include_inactive": include_inactive, "in_background": in_background,
            "step_ids": [fields.Command.create({"entity": entity, "name": label, "sequence": position})
                         for position, (entity, label) in enumerate(self._qbo_import_steps())],
        })

    # ------------------------------------------------------------------ running
    def _qbo_run(self, page_limit=None):
        """Import pages until done (or ``page_limit`` pages). True if work remains. Commits nothing."""
        self.ensure_one()
        pages = 0
        while page_limit is None or pages < page_limit:
            if not self._qbo_run_page():
                return False
            pages += 1
        return self.state == "running"

    def _qbo_run_page(self):
        """Import the next page of the current step. False when the run is finished."""
        self.ensure_one()
        if self.state != "running":
            return False
        step = self.step_ids.filtered(lambda s: s.state == "todo")[:1]
        if not step:
            self._qbo_finish()
            return False
        where, order = self._qbo_import_query(step.entity)
        rows = self.env["qbo.query"]._qbo_page(self.connection_id, step.entity, step.position, PAGE_SIZE,
                                               where=where, order=order)
        handler = getattr(self, "_qbo_import_rows_%s" % step.entity.lower())
        handler(step, rows)
        step.write({"position": step.position + len(rows), "pages": step.pages + 1,
                    "state": "done" if len(rows) < PAGE_SIZE else "todo"})
        self.last_error = False
        if not self.step_ids.filtered(lambda s: s.state == "todo"):
            self._qbo_finish()
        return True

    def _qbo_finish(self):
        self.write({"state": "done", "finished_at": fields.Datetime.now(), "last_error": False})

    @api.model
    def _cron_qbo_import(self):
        """Background imports: a page per transaction, committed, so a stop loses one page at most."""
        deadline = time.monotonic() + CRON_BUDGET_SECONDS
        remaining = False
        for run in self.sudo().search([("state", "=", "running"), ("in_background", "=", True)]):
            while time.monotonic() < deadline:
                try:
                    more = run._qbo_run_page()
                except (UserError, qbo.QboError) as error:
                    self.env.cr.rollback()
                    self.env.invalidate_all()
                    run.last_error = str(error)
                    self.env.cr.commit()
                    _logger.info("QuickBooks import %s paused: %s", run.id, error)
                    break
                self.env.cr.commit()
                if not more or run.state != "running":
                    break
            remaining |= run.state == "running" and not run.last_error
        if remaining:
            self.env.ref("account_quickbooks_online.ir_cron_qbo_import")._trigger()

    def action_qbo_cancel(self):
        self.filtered(lambda run: run.state == "running").write({"state": "cancelled"})
        return True

    def action_qbo_resume(self):
        """Go on with an import that stopped (an error, a timeout) from its last saved page."""
        self.ensure_one()
        self.connection_id._qbo_check_manager()
        if self.state != "running":
            raise UserError(_("This import is %s; start a new one from the import wizard.",
                              dict(self._fields["state"].selection)[self.state]))
        self.sudo()._qbo_run()   # as the wizard: the manager's own contact or product rights do not matter
        return True

    # ------------------------------------------------------------------ helpers
    def _qbo_bound(self, entity, qbo_ids, res_model):
        bindings = self.env["qbo.binding"].search([
            ("connection_id", "=", self.connection_id.id), ("qbo_entity", "=", entity),
            ("res_model", "=", res_model), ("qbo_id", "in", list(qbo_ids))])
        return {binding.qbo_id: binding for binding in bindings}

    def _qbo_digest(self, record, entity):
        """What Odoo would send for ``record``, hashed: equal to QuickBooks right after an import."""
        if not hasattr(record, "_qbo_payload"):
            return False
        try:
            return self.env["qbo.sync.job"]._qbo_digest(record._qbo_payload(self.connection_id, entity))
        except Exception:   # a payload builder that needs more set-up than an import gives: re-send later
            _logger.debug("No payload digest for %s as %s", record, entity, exc_info=True)
            return False

    def _qbo_first_pass(self, step, rows, entity, res_model):
        """Rows still to import: the others are counted as skipped, with their reason."""
        bound = self._qbo_bound(entity, [row["Id"] for row in rows], res_model)
        ahead = set(step.imported_ahead or [])
        todo = []
        for row in rows:
            if row["Id"] in ahead:
                continue   # imported with a sub-customer on an earlier page, already counted
            if row["Id"] in bound:
                step._qbo_skip(row, _("already linked"), quiet=True)
            elif row.get("Active") is False and not self.include_inactive:
                step._qbo_skip(row, _("inactive in QuickBooks"))
            else:
                todo.append(row)
        return todo

    # ------------------------------------------------------------------ accounts
    def _qbo_import_rows_account(self, step, rows):
        """Map each QuickBooks account to the Odoo account with its number or name, or create that account.

        The link is an account mapping (several Odoo accounts may post to one
        QuickBooks account), marked manual so that later proposals keep it.
        """
        connection = self.connection_id
        _counts, cached = self.env["qbo.list.item"]._qbo_upsert(connection, "account", rows,
                                                                deactivate_missing=False)
        Mapping = self.env["qbo.account.mapping"].with_context(qbo_proposal=True)
        mapped = Mapping.search([("connection_id", "=", connection.id), ("qbo_account_id", "!=", False)])
        taken_qbo = set(mapped.mapped("qbo_account_id.qbo_id"))
        taken_odoo = set(mapped.mapped("account_id").ids)
        accounts = Mapping._qbo_company_accounts(connection).filtered(lambda a: a.id not in taken_odoo)
        by_code, by_name = {}, {}
        for account in accounts:
            by_code.setdefault((account.code or "").strip(), []).append(account)
            by_name.setdefault((account.name or "").strip().casefold(), []).append(account)
        for row in rows:
            if row["Id"] in taken_qbo:
                step._qbo_skip(row, _("already linked"), quiet=True)
                continue
            if row.get("Active") is False and not self.include_inactive:
                step._qbo_skip(row, _("inactive in QuickBooks"))
                continue
            found = by_code.get((row.get("AcctNum") or "").strip()) if row.get("AcctNum") else None
            found = found or by_name.get((row.get("Name") or "").strip().casefold(), [])
            found = [account for account in found if account.id not in taken_odoo]
            if len(found) > 1:
                step._qbo_skip(row, _("several Odoo accounts match (%s)", ", ".join(a.display_name for a in found)))
                continue
            try:
                with self.env.cr.savepoint():
                    account = found[0] if found else self._qbo_create_account(row)
                    if not account:
                        step._qbo_skip(row, _("%s accounts have no Odoo counterpart", row.get("AccountType")))
                        continue
                    mapping = Mapping._qbo_rows(connection, "account_id", account)
                    mapping.write({"qbo_account_id": cached[row["Id"]].id, "method": "manual",
                                   "account_code": account.code,
                                   "note": _("Linked by the initial import") if found else
                                   _("Created in Odoo by the initial import")})
                    taken_odoo.add(account.id)
                    step.write({"linked_count" if found else "created_count":
                                step[("linked_count" if found else "created_count")] + 1})
            except (UserError, ValidationError, ValueError) as error:
                step._qbo_error(row, str(error))

    def _qbo_create_account(self, row):
        """An Odoo account like the QuickBooks one, coded by its number (or by its Id when it has none)."""
        account_type = ODOO_ACCOUNT_TYPE.get(row.get("AccountType"))
        if not account_type:
            return None
        company = self.connection_id.company_id
        Account = self.env["account.account"].with_company(company)
        code = "".join(ch for ch in (row.get("AcctNum") or "") if ch.isalnum() or ch == ".")
        if not code or Account.search_count([("code", "=", code)] + Account._check_company_domain(company)):
            code = "QBO%s" % row["Id"]
        values = {"name": row.get("Name") or code, "code": code, "account_type": account_type}
        currency_code = (row.get("CurrencyRef") or {}).get("value")
        if currency_code and currency_code != company.currency_id.name:
            currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", currency_code)])
            if currency:
                values["currency_id"] = currency.id
        return Account.create(values)

    # ------------------------------------------------------------------ customers and vendors
    def _qbo_import_rows_customer(self, step, rows):
        self._qbo_import_partner_rows(step, rows, "Customer")

    def _qbo_import_rows_vendor(self, step, rows):
        self._qbo_import_partner_rows(step, rows, "Vendor")

    def _qbo_import_partner_rows(self, step, rows, entity):
        # Parents before their sub-customers, so that a sub-customer finds its parent's partner.
        rows = sorted(rows, key=lambda row: row.get("Level") or 0)
        todo = self._qbo_first_pass(step, rows, entity, "res.partner")
        matches = self.env["qbo.partner.matcher"]._qbo_match_rows(self.connection_id, todo, entity)
        by_id = {row["Id"]: row for row in rows}
        for row in todo:
            self._qbo_import_partner(step, row, entity, matches[row["Id"]], by_id)

    def _qbo_import_partner(self, step, row, entity, match, page_rows):
        """Link or create the partner of one row; the partner, or None if skipped or failed."""
        Partner = self.env["res.partner"].with_context(qbo_no_export=True)
        Binding = self.env["qbo.binding"]
        if match["state"] == "ambiguous":
            names = ", ".join(Partner.browse(match["ids"]).mapped("display_name"))
            step._qbo_skip(row, _("several Odoo partners match (%s); link it with the match wizard", names))
            return None
        try:
            with self.env.cr.savepoint():
                if match["state"] == "matched":
                    partner = Partner.browse(match["ids"][0])
                    Binding._qbo_link(self.connection_id, partner, entity, row)
                    partner.with_context(qbo_no_export=True).write(
                        {"supplier_rank": max(partner.supplier_rank, 1)} if entity == "Vendor"
                        else {"customer_rank": max(partner.customer_rank, 1)})
                    step.linked_count += 1
                    return partner
                values = Partner._qbo_values_from_qbo(entity, row)
                parent_ref = (row.get("ParentRef") or {}).get("value")
                if parent_ref:
                    parent = self._qbo_parent_partner(step, entity, parent_ref, page_rows)
                    if parent:
                        values["parent_id"] = parent.id
                        # A job site keeps its own address instead of inheriting the parent's.
                        values["type"] = "other" if values.get("street") else "contact"
                partner = Partner.create(values)
                Binding._qbo_link(self.connection_id, partner, entity, row,
                                  payload_hash=self._qbo_digest(partner, entity))
                step.created_count += 1
                return partner
        except (UserError, ValidationError, ValueError) as error:
            step._qbo_error(row, str(error))
            return None

    def _qbo_parent_partner(self, step, entity, parent_id, page_rows):
        """The partner of a sub-customer's parent: linked already, or imported now, ahead of its own page.

        A parent on the same page came first (rows are sorted by level): if it has
        no partner now, it was skipped or failed, and the sub-customer goes without.
        """
        binding = self._qbo_bound(entity, [parent_id], "res.partner").get(parent_id)
        if binding:
            return self.env["res.partner"].browse(binding.res_id)
        if parent_id in page_rows:
            return None
        found = self.env["qbo.query"]._qbo_read_ids(self.connection_id, entity, [parent_id])
        row = found[0] if found else None
        if row is None or (row.get("Active") is False and not self.include_inactive):
            return None
        match = self.env["qbo.partner.matcher"]._qbo_match_rows(self.connection_id, [row], entity)[row["Id"]]
        partner = self._qbo_import_partner(step, row, entity, match, page_rows)
        if partner:
            step.imported_ahead = (step.imported_ahead or []) + [parent_id]
        return partner

    # ------------------------------------------------------------------ items
    def _qbo_import_rows_item(self, step, rows):
        todo = self._qbo_first_pass(step, rows, "Item", "product.product")
        Product = self.env["product.product"].with_context(qbo_no_export=True, active_test=True)
        company = self.connection_id.company_id
        taken = set(self.env["qbo.binding"].search([
            ("connection_id", "=", self.connection_id.id), ("qbo_entity", "=", "Item"),
            ("res_model", "=", "product.product"), ("qbo_id", "!=", False)]).mapped("res_id"))
        codes = [row["Sku"] for row in todo if row.get("Sku")]
        names = [row.get("Name") for row in todo if row.get("Name")]
        candidates = Product.search(["|", ("company_id", "=", False), ("company_id", "=", company.id), "|",
                                     ("default_code", "in", codes), ("name", "in", names)]) if todo else Product
        by_code, by_name = {}, {}
        for product in candidates.filtered(lambda p: p.id not in taken):
            if product.default_code:
                by_code.setdefault(product.default_code, Product)
                by_code[product.default_code] |= product
            by_name.setdefault((product.name or "").casefold(), Product)
            by_name[(product.name or "").casefold()] |= product
        for row in todo:
            if row.get("Type") not in ("Service", "NonInventory", "Inventory"):
                step._qbo_skip(row, _("%s items are not products", row.get("Type") or "?"))
                continue
            found = by_code.get(row.get("Sku")) if row.get("Sku") else None
            found = (found or by_name.get((row.get("Name") or "").casefold(), Product)).filtered(
                lambda p: p.id not in taken)
            if len(found) > 1:
                step._qbo_skip(row, _("several Odoo products match (%s)", ", ".join(found.mapped("display_name"))))
                continue
            try:
                with self.env.cr.savepoint():
                    if found:
                        self.env["qbo.binding"]._qbo_link(self.connection_id, found, "Item", row)
                        step.linked_count += 1
                        taken.add(found.id)
                        continue
                    template = self.env["product.template"].with_context(qbo_no_export=True).create(
                        self.env["product.template"]._qbo_values_from_item(row))
                    product = template.with_context(active_test=False).product_variant_ids[:1]
                    self.env["qbo.binding"]._qbo_link(self.connection_id, product, "Item", row,
                                                      payload_hash=self._qbo_digest(product, "Item"))
                    step.created_count += 1
                    taken.add(product.id)
            except (UserError, ValidationError, ValueError) as error:
                step._qbo_error(row, str(error))
