"""Account, journal, tax and payment term mappings: proposals, manual choices kept, creating in QuickBooks."""
from quickbooks.objects.term import Term as QboTerm

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..emulator.testing import quickbooks
from .common import UK_REALM, US_REALM
from .common_lists import QboListsCase


@tagged("post_install", "-at_install")
class TestQboMappings(QboListsCase):

    def setUp(self):
        super().setUp()
        self.Mapping = self.env["qbo.account.mapping"]
        self.company = self.connection.company_id

    def account(self, code, name, account_type, **extra):
        return self.env["account.account"].create(dict(
            code=code, name=name, account_type=account_type, company_ids=[Command.set(self.company.ids)], **extra))

    def mapping(self, account):
        return self.Mapping.search([("connection_id", "=", self.connection.id), ("account_id", "=", account.id)])

    def qbo_row(self, list_type, name):
        return self.rows(list_type).filtered(lambda row: row.name == name)

    def propose(self):
        self.env["qbo.list.item"]._qbo_update_lists(self.connection)
        self.Mapping._qbo_propose(self.connection)
        self.env["qbo.journal.mapping"]._qbo_propose(self.connection)
        self.env["qbo.tax.mapping"]._qbo_propose(self.connection)
        self.env["qbo.term.mapping"]._qbo_propose(self.connection)

    def tax(self, name, amount, use="sale", amount_type="percent"):
        group = self.env["account.tax.group"].search([("company_id", "=", self.company.id)], limit=1) or \
            self.env["account.tax.group"].create({"name": "QX taxes", "company_id": self.company.id})
        return self.env["account.tax"].create({"name": name, "amount": amount, "amount_type": amount_type,
                                               "type_tax_use": use, "company_id": self.company.id,
                                               "tax_group_id": group.id})

    # ------------------------------------------------------------------ accounts
    def test_accounts_are_proposed_by_code_then_name_then_a_similar_name(self):
        by_code = self.account("1010", "Main bank QX", "asset_cash")
        by_name = self.account("QX100", "design INCOME", "income")
        similar = self.account("QX101", "Receivables QX", "asset_receivable")
        retained = self.env["account.account"].search(self.env["account.account"]._check_company_domain(
            self.company) + [("account_type", "=", "equity_unaffected")])
        ambiguous = self.account("QX103", "Some income QX", "income")
        cards = self.account("QX104", "Cards QX", "liability_credit_card")
        memo = self.account("QX105", "Memo QX", "off_balance")
        self.propose()

        # Number and exact name are mappings; a similar name is a suggestion; an account nothing a sync sends uses
        # is not asked for.
        expected = {by_code: ("Checking", "code", "mapped", 100), by_name: ("Design income", "name", "mapped", 95),
                    similar: ("Accounts Receivable (A/R)", "similar", "suggested", 73),
                    retained: (False, False, "unneeded", 0), ambiguous: (False, False, "ambiguous", 0),
                    cards: (False, False, "ambiguous", 0), memo: (False, False, "unneeded", 0)}
        for account, (qbo_name, method, state, confidence) in expected.items():
            row = self.mapping(account)
            self.assertEqual((row.qbo_account_id.name or False, row.method, row.state, row.confidence),
                             (qbo_name, method, state, confidence), account.name)
        self.assertEqual((self.mapping(by_code).note, self.mapping(by_name).note), ("Same number, 1010", "Same name"))
        self.assertIn("Name close to “Accounts Receivable (A/R)”", self.mapping(similar).note)
        # An ambiguous row counts every account of its type and names (and offers first) the closest ones.
        self.assertEqual(self.mapping(cards).candidate_count, 2)
        self.assertEqual(self.mapping(cards).candidate_ids.mapped("name"), ["Visa Business Card"])
        self.assertIn("2 QuickBooks Credit Card accounts; the closest names: Visa Business Card",
                      self.mapping(cards).note)
        self.assertIn("Design income", self.mapping(ambiguous).candidate_ids.mapped("name"))
        self.assertFalse(self.mapping(memo).needed)
        self.assertTrue(self.mapping(by_code).needed)
        self.assertEqual(self.mapping(by_code).need_reason, "a bank or cash account")

        rows = self.Mapping.search([("connection_id", "=", self.connection.id)])
        self.connection.invalidate_recordset()
        count = lambda *states: len(rows.filtered(lambda r: r.state in states))  # noqa: E731
        self.assertEqual(self.connection.qbo_account_mapped_count, count("mapped"))
        self.assertEqual(self.connection.qbo_account_suggested_count, count("suggested"))
        self.assertEqual(self.connection.qbo_account_todo_count, count("suggested", "ambiguous", "missing"))
        self.assertEqual(self.connection.qbo_account_unneeded_count, count("unneeded"))
        self.assertEqual(self.connection._qbo_account_ref(by_code),
                         {"value": self.qbo_account(US_REALM, "Checking")["Id"], "name": "Checking"})
        with self.assertRaisesRegex(UserError, "Some income QX.*Account Mapping"):
            self.connection._qbo_account_ref(ambiguous)
        with self.assertRaisesRegex(UserError, "Receivables QX.*suggested.*Accounts Receivable.*confirmed"):
            self.connection._qbo_account_ref(similar)
        # A QuickBooks account made inactive since is refused by name before QuickBooks would refuse it.
        self.mapping(ambiguous).write({"qbo_account_id": self.qbo_row("account", "Services").id})
        self.emulator_admin.patch(US_REALM, "Account", {"Active": False}, self.qbo_account(US_REALM, "Services")["Id"])
        self.env["qbo.list.item"]._qbo_update_lists(self.connection)
        with self.assertRaisesRegex(UserError, "Some income QX.*Services.*inactive"):
            self.connection._qbo_account_ref(ambiguous)

    def test_the_demo_chart_asks_only_for_what_a_sync_touches(self):
        """The generic chart Odoo gives a new US company (the demo's): few rows to decide, each with its reason."""
        self.propose()
        Account = self.env["account.account"]
        chart = {account.code: self.mapping(account) for account in Account.search(
            Account._check_company_domain(self.company))}
        self.assertEqual((chart["101401"].qbo_account_id.name, chart["101401"].state, chart["101401"].method),
                         ("Checking", "suggested", "similar"), "Bank → Checking among the Bank accounts")
        self.assertEqual(chart["101501"].state, "ambiguous", "Cash: Checking or Savings, nothing decides")
        self.assertEqual(set(chart["101501"].candidate_ids.mapped("name")), {"Checking", "Savings"})
        self.assertEqual((chart["500000"].qbo_account_id.name, chart["500000"].state), ("Cost of Goods Sold", "mapped"))
        self.assertEqual((chart["400000"].qbo_account_id.name, chart["400000"].state),
                         ("Sales of Product Income", "suggested"))
        self.assertEqual((chart["620000"].qbo_account_id.name, chart["620000"].state), ("Bank Charges", "suggested"))
        self.assertEqual(chart["121000"].qbo_account_id.name, "Accounts Receivable (A/R)")
        # The rest of the chart is not needed yet, never guessed by type: no "Non-current assets → Security Deposits".
        for code in ("191000", "151000", "301000", "999999", "101402", "110100"):
            self.assertEqual((chart[code].state, chart[code].qbo_account_id), ("unneeded", self.env["qbo.list.item"]),
                             code)
        # The tax accounts are asked for because the taxes post to them.
        self.assertTrue(chart["251000"].needed)
        self.assertIn("tax", chart["251000"].need_reason)
        self.assertFalse([row for row in chart.values() if row.state == "mapped" and row.method in ("similar", "type")])
        # The tax account is offered QuickBooks' tax accounts first.
        self.assertEqual(set(chart["251000"].candidate_ids.mapped("name")),
                         {"Board of Equalization Payable", "Arizona Dept. of Revenue Payable"})
        self.assertEqual((chart["612000"].qbo_account_id.name, chart["612000"].state), ("Rent or Lease", "suggested"))
        # 51 accounts: what is left ambiguous has nothing in QuickBooks that decides (Cash: Checking or Savings?
        # Foreign exchange gains, cash differences...), and each names its candidates.
        ambiguous = [row for row in chart.values() if row.state == "ambiguous"]
        self.assertLessEqual(len(ambiguous), 14, [row.account_id.display_name for row in ambiguous])
        for row in ambiguous:
            self.assertTrue(row.candidate_ids, row.account_id.display_name)

    def test_a_weak_guess_is_a_suggestion_confirmed_in_bulk_and_kept(self):
        deposits = self.account("QX190", "QX Deposits paid", "asset_non_current")
        self.env["product.template"].with_company(self.company).create(
            {"name": "QX deposit", "property_account_expense_id": deposits.id})
        self.propose()
        row = self.mapping(deposits)
        self.assertEqual((row.qbo_account_id.name, row.method, row.state, row.confidence, row.needed),
                         ("Security Deposits", "type", "suggested", 30, True))
        self.assertIn("product", row.need_reason)
        with self.assertRaisesRegex(UserError, "suggested"):
            self.connection._qbo_account_ref(deposits)
        bank = self.mapping(self.env["account.account"].search(
            self.env["account.account"]._check_company_domain(self.company) + [("code", "=", "101401")]))
        rows = row | bank | self.mapping(self.account("QX191", "QX nothing", "income"))
        with self.assertRaises(Exception):
            rows.with_user(self.plain_user).action_qbo_confirm_suggestions()
        result = rows.with_user(self.manager).action_qbo_confirm_suggestions()
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("2 suggestion(s) confirmed", result["params"]["message"])
        self.assertEqual((row.state, bank.state), ("mapped", "mapped"))
        self.assertEqual(self.connection._qbo_account_ref(deposits)["name"], "Security Deposits")
        self.propose()
        self.assertEqual((row.qbo_account_id.name, row.state, bank.qbo_account_id.name, bank.state),
                         ("Security Deposits", "mapped", "Checking", "mapped"), "a confirmed suggestion is kept")

    def test_mapping_an_account_by_hand_updates_its_journals_at_once(self):
        self.propose()
        Journal = self.env["qbo.journal.mapping"]
        bank_journal = self.env["account.journal"].search(
            self.env["account.journal"]._check_company_domain(self.company) + [("type", "=", "bank")], limit=1)
        journal_row = Journal.search([("connection_id", "=", self.connection.id),
                                      ("journal_id", "=", bank_journal.id)])
        account_row = self.mapping(bank_journal.default_account_id)
        self.assertEqual(account_row.state, "suggested")
        self.assertEqual(journal_row.state, "missing", "a suggestion nobody confirmed maps no journal")
        self.connection.invalidate_recordset()
        before = self.connection.qbo_journal_unmapped_count
        account_row.write({"qbo_account_id": self.qbo_row("account", "Savings").id})
        self.assertEqual((account_row.state, account_row.method), ("mapped", "manual"))
        self.assertEqual((journal_row.qbo_account_id.name, journal_row.state), ("Savings", "mapped"))
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.qbo_journal_unmapped_count, before - 1)

    def test_the_dropdown_offers_the_candidates_first(self):
        self.propose()
        cash = self.mapping(self.env["account.account"].search(
            self.env["account.account"]._check_company_domain(self.company) + [("code", "=", "101501")]))
        domain = [("connection_id", "=", self.connection.id), ("list_type", "=", "account")]
        Item = self.env["qbo.list.item"]
        plain = Item.name_search("", domain, limit=5)
        offered = Item.with_context(qbo_candidate_ids=cash.candidate_ids.ids).name_search("", domain, limit=5)
        self.assertEqual(len(offered), 5)
        self.assertEqual({name for _id, name in offered[:2]}, {"1010 Checking", "1020 Savings"})
        self.assertNotEqual(plain[:2], offered[:2])
        self.assertEqual(len(Item.with_context(qbo_candidate_ids=cash.candidate_ids.ids).name_search(
            "Savings", domain)), 1)

    def test_a_manual_mapping_is_kept_when_proposing_again(self):
        chosen = self.account("QX200", "Consulting QX", "income")
        proposed = self.account("QX201", "Design income", "income")
        self.propose()
        self.assertEqual(self.mapping(chosen).state, "ambiguous")
        pest = self.qbo_row("account", "Pest Control Services")
        self.mapping(chosen).write({"qbo_account_id": pest.id})
        self.assertEqual((self.mapping(chosen).method, self.mapping(chosen).state), ("manual", "mapped"))
        # A person also overrides a proposal: that sticks too; an untouched proposal follows QuickBooks.
        services = self.qbo_row("account", "Services")
        self.mapping(proposed).write({"qbo_account_id": services.id})
        untouched = self.account("QX202", "Landscaping Services", "income")
        self.propose()
        self.assertEqual(self.mapping(chosen).qbo_account_id, pest)
        self.assertEqual(self.mapping(proposed).qbo_account_id, services)
        self.assertEqual(self.mapping(untouched).method, "name")
        untouched.name = "Installation"
        self.propose()
        self.assertEqual(self.mapping(untouched).qbo_account_id.name, "Installation")

    def test_missing_accounts_are_created_in_quickbooks_in_batches_and_mapped(self):
        accounts = self.env["account.account"]
        for n in range(34):
            accounts |= self.account("QX3%02d" % n, "Overhead: item %02d" % n, "expense")
        accounts |= self.account("QX399", "Long code account", "asset_fixed")
        off_balance = self.account("QX398", "Memo QX", "off_balance")
        self.propose()
        rows = self.Mapping.search([("account_id", "in", (accounts | off_balance).ids)])
        self.assertFalse(rows.filtered("qbo_account_id"))
        before = len(self.qbo(US_REALM, "Account"))
        self.emulator_admin.clear_counters()
        result = rows.with_user(self.manager).action_qbo_create_in_quickbooks()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertEqual(self.batch_calls(), 2)   # 36 rows, 30 a call; the off-balance one is never sent
        created = {a["AcctNum"]: a for a in self.qbo(US_REALM, "Account").values()
                   if a.get("AcctNum", "").startswith("QX3")}
        self.assertEqual(len(self.qbo(US_REALM, "Account")), before + 35)
        self.assertEqual(created["QX300"]["Name"], "Overhead- item 00")
        self.assertEqual((created["QX300"]["AccountType"], created["QX399"]["AccountType"]), ("Expense", "Fixed Asset"))
        for account in accounts:
            row = self.mapping(account)
            self.assertEqual((row.state, row.method), ("mapped", "created"))
            self.assertEqual(row.qbo_account_id.qbo_id, created[account.code]["Id"])
        self.assertEqual(self.mapping(off_balance).state, "unneeded")
        self.assertIn("Memo QX", self.mapping(off_balance).error_message)
        # Proposing again keeps what was created.
        self.propose()
        self.assertEqual(set(rows.mapped("method")), {"created", False})

    def test_uk_foreign_currency_accounts_match_and_are_created_in_their_currency(self):
        self.link(UK_REALM)
        euro = self.env.ref("base.EUR")
        euro.active = True
        euro_bank = self.account("QX900", "QX euro bank", "asset_cash", currency_id=euro.id)
        euro_card = self.account("QX901", "QX euro card", "liability_credit_card", currency_id=euro.id)
        self.propose()
        self.assertEqual((self.mapping(euro_bank).qbo_account_id.name, self.mapping(euro_bank).method),
                         ("EUR Bank", "type"))   # three Bank accounts, one of them in euros
        self.assertEqual(self.mapping(euro_card).state, "missing")
        self.mapping(euro_card).with_user(self.manager).action_qbo_create_in_quickbooks()
        created = self.qbo_account(UK_REALM, "QX euro card")
        self.assertEqual((created["AccountType"], created["CurrencyRef"]["value"]), ("Credit Card", "EUR"))
        self.assertEqual(self.mapping(euro_card).qbo_account_id.currency_code, "EUR")

    # ------------------------------------------------------------------ journals
    def test_bank_journals_map_to_bank_or_other_current_asset_accounts_only(self):
        bank_account = self.account("1020", "QX savings", "asset_cash")
        journal = self.env["account.journal"].create({"name": "Visa", "type": "bank", "code": "QXV",
                                                      "default_account_id": bank_account.id,
                                                      "company_id": self.company.id})
        self.propose()
        row = self.env["qbo.journal.mapping"].search([("connection_id", "=", self.connection.id),
                                                      ("journal_id", "=", journal.id)])
        self.assertEqual((row.qbo_account_id.name, row.method, row.state), ("Savings", "account", "mapped"))
        self.assertEqual(row.qbo_payment_method_id.name, "Visa")
        deposit, method = self.connection._qbo_payment_refs(journal)
        self.assertEqual(deposit["name"], "Savings")
        self.assertEqual(method["name"], "Visa")
        with self.assertRaisesRegex(ValidationError, "Bank or Other Current Asset.*Services.*Income"):
            row.write({"qbo_account_id": self.qbo_row("account", "Services").id})
        undeposited = self.qbo_row("account", "Undeposited Funds")
        row.write({"qbo_account_id": undeposited.id, "qbo_payment_method_id": False})
        self.assertEqual(row.method, "manual")
        self.assertIsNone(self.connection._qbo_payment_refs(journal)[1])
        other = self.env["account.journal"].create({"name": "QX Cash", "type": "cash", "code": "QXC",
                                                    "company_id": self.company.id})
        with self.assertRaisesRegex(UserError, "QX Cash.*QuickBooks Online → Journal Mapping"):
            self.connection._qbo_payment_refs(other)

    # ------------------------------------------------------------------ taxes
    def tax_row(self, tax):
        return self.env["qbo.tax.mapping"].search([("connection_id", "=", self.connection.id),
                                                   ("tax_id", "=", tax.id)])

    def test_us_automated_sales_tax_maps_taxes_to_tax_or_non(self):
        taxable, exempt = self.tax("QX Sales 8", 8), self.tax("QX Exempt", 0)
        self.propose()
        self.assertEqual(self.connection._qbo_tax_mode(), "us_ast")
        self.assertEqual((self.tax_row(taxable).us_treatment, self.tax_row(taxable).state), ("TAX", "mapped"))
        self.assertEqual((self.tax_row(exempt).us_treatment, self.tax_row(exempt).state), ("NON", "mapped"))
        self.assertEqual(self.connection._qbo_tax_code_ref(taxable), {"value": "TAX"})
        self.assertEqual(self.connection._qbo_tax_code_ref(exempt), {"value": "NON"})
        self.assertIsNone(self.connection._qbo_txn_tax_code_ref(taxable | exempt))

    def test_us_without_automated_sales_tax_names_the_document_tax_code(self):
        self.emulator_admin.patch(US_REALM, "Preferences", {"TaxPrefs": {"PartnerTaxEnabled": False}})
        california, tucson, odd = self.tax("QX CA 8", 8), self.tax("Tucson", 9.1), self.tax("QX odd", 5)
        self.propose()
        self.assertEqual(self.connection._qbo_tax_mode(), "us_manual")
        self.assertEqual((self.tax_row(california).qbo_tax_code_id.name, self.tax_row(california).method),
                         ("California", "rate"))
        self.assertEqual((self.tax_row(tucson).qbo_tax_code_id.name, self.tax_row(tucson).method), ("Tucson", "name"))
        self.assertEqual((self.tax_row(odd).us_treatment, self.tax_row(odd).state), ("TAX", "missing"))
        self.assertEqual(self.connection._qbo_txn_tax_code_ref(california)["name"], "California")
        with self.assertRaisesRegex(UserError, "one sales tax code per document"):
            self.connection._qbo_txn_tax_code_ref(california | tucson)
        with self.assertRaisesRegex(UserError, "QX odd") as caught:
            self.connection._qbo_check_tax_mapping(california | odd)
        self.assertNotIn("QX CA 8", str(caught.exception))

    def test_uk_taxes_map_to_vat_codes_and_a_document_check_names_the_unmapped_one(self):
        self.link(UK_REALM)
        standard, reduced = self.tax("QX VAT 20", 20), self.tax("QX VAT 5 purchases", 5, use="purchase")
        named, zero = self.tax("exempt", 0), self.tax("QX zero", 0)
        self.propose()
        self.assertEqual(self.connection._qbo_tax_mode(), "global")
        self.assertEqual((self.tax_row(standard).qbo_tax_code_id.name, self.tax_row(standard).method),
                         ("20.0% S", "rate"))
        self.assertEqual(self.tax_row(reduced).qbo_tax_code_id.name, "5.0% R")
        self.assertEqual((self.tax_row(named).qbo_tax_code_id.name, self.tax_row(named).method), ("Exempt", "name"))
        self.assertEqual((self.tax_row(zero).state, self.tax_row(zero).candidate_count), ("ambiguous", 3))
        code = self.qbo_row("tax_code", "20.0% S")
        self.assertEqual(self.connection._qbo_tax_code_ref(standard), {"value": code.qbo_id, "name": "20.0% S"})
        with self.assertRaisesRegex(UserError, "QX zero") as caught:
            self.connection._qbo_check_tax_mapping(standard | zero | named)
        self.assertNotIn("QX VAT 20", str(caught.exception))
        self.tax_row(zero).write({"qbo_tax_code_id": self.qbo_row("tax_code", "0.0% Z").id})
        self.assertEqual(self.tax_row(zero).method, "manual")
        self.connection._qbo_check_tax_mapping(standard | zero | named)

    # ------------------------------------------------------------------ terms
    def term(self, name, days):
        return self.env["account.payment.term"].create({"name": name, "company_id": self.company.id, "line_ids": [
            Command.create({"value": "percent", "value_amount": 100, "nb_days": days, "delay_type": "days_after"})]})

    def test_payment_terms_both_ways(self):
        named, sixty, thirty = self.term("net 30", 30), self.term("QX 60 days", 60), self.term("QX thirty", 30)
        fifteen_named = self.term("Net 15", 10)
        # "1% 10 Net 30" is also due in 30 days but has a discount: no candidate for a plain 30-day term.
        self.propose()
        Term = self.env["qbo.term.mapping"]
        self.assertEqual(Term.search([("payment_term_id", "=", thirty.id)]).qbo_term_id.name, "Net 30")
        QboTerm.from_json({"Name": "Thirty days", "Type": "STANDARD", "DueDays": 30}).save(
            qb=quickbooks(self.emulator.url, US_REALM, self.emulator_admin.grant(US_REALM)["access_token"]))
        self.propose()

        def row(term):
            return Term.search([("connection_id", "=", self.connection.id), ("payment_term_id", "=", term.id)])
        self.assertEqual((row(named).qbo_term_id.name, row(named).method), ("Net 30", "name"))
        self.assertEqual((row(sixty).qbo_term_id.name, row(sixty).method), ("Net 60", "days"))
        self.assertEqual((row(thirty).state, row(thirty).candidate_count), ("ambiguous", 2))
        net60 = self.qbo_row("term", "Net 60")
        self.assertEqual(self.connection._qbo_term_ref(sixty), {"value": net60.qbo_id, "name": "Net 60"})
        self.assertIsNone(self.connection._qbo_term_ref(thirty))
        self.assertEqual(self.connection._qbo_payment_term_from_ref({"value": net60.qbo_id}), sixty)
        # Net 15 is mapped by name already; a term nobody mapped falls back to an Odoo term of that name.
        self.assertEqual(self.connection._qbo_payment_term_from_ref({"value": self.qbo_row("term", "Net 15").qbo_id}),
                         fifteen_named)
        Term.search([("qbo_term_id", "=", self.qbo_row("term", "Net 15").id)]).write({"qbo_term_id": False})
        self.assertEqual(self.connection._qbo_payment_term_from_ref(
            {"value": self.qbo_row("term", "Net 15").qbo_id, "name": "Net 15"}), fifteen_named)
        due_now = self.qbo_row("term", "Due on receipt")
        Term.search([("qbo_term_id", "=", due_now.id)]).write({"qbo_term_id": False})
        self.env["account.payment.term"].search([("name", "=ilike", "Due on receipt")]).active = False
        self.assertFalse(self.connection._qbo_payment_term_from_ref({"value": due_now.qbo_id}))
        self.assertFalse(self.connection._qbo_payment_term_from_ref(None))

    def test_propose_button_and_views_open(self):
        result = self.connection.with_user(self.manager).action_qbo_propose_mappings()
        self.assertEqual(result["params"]["type"], "success")
        for list_name in ("Accounts:", "to confirm", "not needed yet", "Taxes:", "Bank and cash journals:",
                          "Payment terms:"):
            self.assertIn(list_name, result["params"]["message"])
        for action in ("action_qbo_open_lists", "action_qbo_open_account_mapping", "action_qbo_open_tax_mapping",
                       "action_qbo_open_journal_mapping", "action_qbo_open_term_mapping"):
            opened = getattr(self.connection, action)()
            self.assertTrue(self.env[opened["res_model"]].search_count(opened["domain"]), action)
        for xmlid in ("qbo_account_mapping_menu", "qbo_tax_mapping_menu", "qbo_journal_mapping_menu",
                      "qbo_term_mapping_menu", "qbo_list_item_menu"):
            self.assertTrue(self.env.ref("account_quickbooks_online." + xmlid).action)
        with self.assertRaises(Exception):
            self.connection.with_user(self.plain_user).action_qbo_propose_mappings()
        arch = self.env["qbo.connection"].get_view(
            self.env.ref("account_quickbooks_online.qbo_connection_view_form").id)["arch"]
        for name in ("action_qbo_setup_lists", "action_qbo_propose_mappings", "action_qbo_open_account_mapping",
                     "qbo_account_todo_count", "qbo_account_ambiguous_count", "qbo_book_close_date", "push_products"):
            self.assertIn(name, arch)
