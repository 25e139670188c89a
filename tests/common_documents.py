"""Companies ready to send documents: lists read, mappings proposed, a customer, products and taxes.

The US company is the main test company (USD, automated sales tax) linked to
the emulator's US realm. The UK company is a second Odoo company in GBP with
VAT taxes (20 % excluded and included, 5 %, none), linked to the UK realm
(VAT, multicurrency, books closed to 2023-12-31).
"""
from datetime import timedelta

from odoo import Command, fields

from .common import UK_REALM, US_REALM
from .common_lists import QboListsCase


class QboDocumentsCase(QboListsCase):

    def setUp(self):
        super().setUp()
        self.patch_commits()
        self.us = self.connection
        # A new connection sends invoices only on demand until its setup is done; these tests send on post.
        self.us.write({"push_partners": False, "documents_from": False, "invoice_send_policy": "posted"})
        self.setup_us()

    # ------------------------------------------------------------------ companies
    def setup_us(self):
        company = self.us.company_id
        self.update_lists(self.us)
        Account = self.env["account.account"]
        self.us_income = Account.search([("code", "=", "400000")] + Account._check_company_domain(company), limit=1)
        self.us_services = Account.create({"code": "QX4100", "name": "QX design income", "account_type": "income",
                                           "company_ids": [Command.set(company.ids)]})
        self.us_tax = self.env["account.tax"].create({"name": "QX US sales tax 8%", "amount": 8,
                                                      "type_tax_use": "sale", "company_id": company.id})
        self.propose(self.us)
        self.map_account(self.us, self.us_income, "Sales of Product Income")
        self.map_account(self.us, self.us_services, "Design income")
        self.map_account(self.us, self.expense_account(company), "Cost of Goods Sold")
        self.us_customer = self.env["res.partner"].create({"name": "QX Customer Inc", "email": "ap@qx.example",
                                                           "customer_rank": 1, "street": "1 Main St",
                                                           "city": "Mountain View", "zip": "94043"})
        self.us_product = self.product("QX Rock", 80.0, self.us_income, company)
        self.us_journal = self.env["account.journal"].search([("type", "=", "sale")] +
                                                             self.env["account.journal"]._check_company_domain(
                                                                 company), limit=1)

    def setup_uk(self):
        """A GBP company with VAT taxes, linked to the UK realm."""
        gbp = self.env.ref("base.GBP")
        gbp.active = True
        company = self.env["res.company"].create({"name": "QX Garden UK", "currency_id": gbp.id,
                                                  "country_id": self.env.ref("base.uk").id})
        self.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        company.currency_id = gbp   # the generic chart brings USD
        self.uk = self.env["qbo.connection"].search([("company_id", "=", company.id)])
        self.connect_with_tokens(self.uk, UK_REALM, environment="emulator", emulator_url=self.emulator.url,
                                 push_partners=False, invoice_send_policy="posted")
        self.update_lists(self.uk)
        Tax = self.env["account.tax"].with_company(company)
        self.vat20 = Tax.create({"name": "QX VAT 20%", "amount": 20, "type_tax_use": "sale", "company_id": company.id})
        self.vat20_incl = Tax.create({"name": "QX VAT 20% incl.", "amount": 20, "type_tax_use": "sale",
                                      "price_include_override": "tax_included", "company_id": company.id})
        self.vat5 = Tax.create({"name": "QX VAT 5%", "amount": 5, "type_tax_use": "sale", "company_id": company.id})
        self.propose(self.uk)
        for tax, code in ((self.vat20, "20.0% S"), (self.vat20_incl, "20.0% S"), (self.vat5, "5.0% R")):
            self.map_tax(self.uk, tax, code)
        Account = self.env["account.account"].with_company(company)
        self.uk_income = Account.search([("code", "=", "400000")] + Account._check_company_domain(company), limit=1)
        self.map_account(self.uk, self.uk_income, "Sales")
        self.map_account(self.uk, self.expense_account(company), "Cost of Sales")
        self.uk_customer = self.env["res.partner"].create({"name": "QX Chelsea Client", "customer_rank": 1,
                                                           "email": "cafe@example.co.uk", "company_id": company.id})
        self.uk_product = self.product("QX Hedge trimming", 100.0, self.uk_income, company)
        self.uk_journal = self.env["account.journal"].search(
            [("type", "=", "sale")] + self.env["account.journal"]._check_company_domain(company), limit=1)
        return self.uk

    # ------------------------------------------------------------------ mappings
    def propose(self, connection):
        for model in ("qbo.account.mapping", "qbo.journal.mapping", "qbo.tax.mapping", "qbo.term.mapping"):
            self.env[model]._qbo_propose(connection)

    def map_account(self, connection, account, qbo_name):
        row = self.env["qbo.account.mapping"]._qbo_rows(connection, "account_id", account)
        row.write({"qbo_account_id": self.rows("account", connection).filtered(lambda r: r.name == qbo_name).id})

    def map_tax(self, connection, tax, code_name):
        row = self.env["qbo.tax.mapping"]._qbo_rows(connection, "tax_id", tax)
        row.write({"qbo_tax_code_id": self.rows("tax_code", connection).filtered(lambda r: r.name == code_name).id})

    def expense_account(self, company):
        """The expense account the company's products name (their Items need it mapped)."""
        return self.env["product.category"].with_company(company).search([], limit=1).property_account_expense_categ_id

    def qbo_calls(self, realm_id=US_REALM):
        return self.emulator_admin.counters(realm_id)

    # ------------------------------------------------------------------ documents
    def product(self, name, price, income, company):
        return self.env["product.product"].with_company(company).create({
            "name": name, "type": "service", "list_price": price, "taxes_id": [Command.clear()],
            "property_account_income_id": income.id})

    def invoice(self, lines, partner=None, move_type="out_invoice", post=True, journal=None, **values):
        """Lines are dicts of account.move.line values (product_id, quantity, price_unit, tax_ids, ...)."""
        partner = partner or self.us_customer
        company = journal.company_id if journal else self.us.company_id
        move = self.env["account.move"].with_company(company).create(dict({
            "move_type": move_type, "partner_id": partner.id, "invoice_date": fields.Date.today(),
            "journal_id": (journal or self.us_journal).id,
            "invoice_line_ids": [Command.create(line) for line in lines]}, **values))
        if post:
            move.action_post()
        return move

    def uk_invoice(self, lines, **values):
        return self.invoice(lines, partner=self.uk_customer, journal=self.uk_journal, **values)

    def doc_job(self, move):
        return self.Job.search([("res_model", "=", "account.move"), ("res_id", "=", move.id),
                                ("qbo_entity", "in", ("Invoice", "CreditMemo"))], order="id desc", limit=1)

    def send(self, connection=None):
        """Send everything queued for the connection, letting every backoff pass at once."""
        connection = connection or self.us
        for _round in range(20):
            self.Job._qbo_process(connection)
            waiting = self.Job.search([("connection_id", "=", connection.id), ("state", "in", ("pending", "running"))])
            if not waiting:
                return
            waiting.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        everything = self.Job.search([("connection_id", "=", connection.id)])
        raise AssertionError("the queue did not drain: %s" % [(job.qbo_entity, job.record_name, job.state, job.waits,
                                                              job.priority, job.error_message) for job in everything])

    def stored(self, move, realm_id=US_REALM):
        """The document as the emulator holds it."""
        binding = move.qbo_binding_id
        self.assertTrue(binding.qbo_id, "%s has no QuickBooks document: %s" % (move.name, binding.last_error or
                                                                                self.doc_job(move).error_message))
        return self.emulator_admin.dump(realm_id)["data"][binding.qbo_entity][binding.qbo_id]

    def sales_lines(self, stored):
        return [line for line in stored["Line"] if line["DetailType"] == "SalesItemLineDetail"]
