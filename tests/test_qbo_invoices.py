"""Customer invoices and credit notes to QuickBooks: when they go, what they carry, exact to the cent."""
from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import UK_REALM, US_REALM
from .common_documents import QboDocumentsCase


@tagged("post_install", "-at_install")
class TestQboInvoicesUS(QboDocumentsCase):
    """The US company: automated sales tax, TAX/NON lines, Odoo's tax sent as the document's total tax."""

    def test_posting_queues_the_invoice_and_what_it_needs_and_calls_nothing(self):
        self.emulator_admin.clear_counters()
        move = self.invoice([{"product_id": self.us_product.id, "quantity": 2, "price_unit": 80}])
        self.assertFalse(self.qbo_calls().get("total"), "posting called nothing")
        job = self.doc_job(move)
        self.assertEqual((job.state, job.qbo_entity, job.priority), ("pending", "Invoice", 20))
        self.send()
        self.assertEqual(job.state, "done", job.error_message)
        customer = self.binding_of(self.us_customer)
        self.assertTrue(customer.qbo_id, "the customer went first")
        self.assertTrue(self.binding_of(self.us_product, "Item").qbo_id, "and the product")
        stored = self.stored(move)
        self.assertEqual(stored["CustomerRef"]["value"], customer.qbo_id)
        self.assertEqual(stored["DocNumber"], move.name)
        self.assertEqual(stored["TxnDate"], fields.Date.to_string(move.invoice_date))
        self.assertEqual(stored["DueDate"], fields.Date.to_string(move.invoice_date_due))
        self.assertEqual(stored["BillEmail"]["Address"], "ap@qx.example")
        self.assertIn(move.name, stored["PrivateNote"])
        self.assertEqual(stored["TotalAmt"], 160.0)
        self.assertEqual((move.qbo_sync_state, move.qbo_doc_number, move.qbo_status), ("synced", move.name, "unpaid"))
        self.assertEqual(move.qbo_balance, 160.0)
        self.assertIn("Sent to QuickBooks Online as invoice", move.message_ids[0].body)

    def test_taxable_and_non_taxable_lines_land_on_their_accounts_with_odoos_tax(self):
        other = self.env["product.product"].create({"name": "QX Design hour", "type": "service",
                                                    "property_account_income_id": self.us_income.id})
        move = self.invoice([
            {"product_id": self.us_product.id, "quantity": 3, "price_unit": 19.99, "tax_ids": [Command.set(
                self.us_tax.ids)]},
            {"product_id": other.id, "quantity": 1, "price_unit": 100, "account_id": self.us_services.id,
             "tax_ids": [Command.clear()]},
            {"name": "Travel", "quantity": 1, "price_unit": 12.5, "account_id": self.us_services.id,
             "tax_ids": [Command.clear()]},
        ])
        self.send()
        stored = self.stored(move)
        self.assertEqual(stored["TotalAmt"], move.amount_total)
        self.assertEqual(stored["TxnTaxDetail"]["TotalTax"], move.amount_tax)
        self.assertFalse(move.qbo_mismatch)
        lines = self.sales_lines(stored)
        self.assertEqual([line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in lines], ["TAX", "NON", "NON"])
        self.assertEqual([line["Amount"] for line in lines], [59.97, 100.0, 12.5])
        items = self.emulator_admin.dump(US_REALM)["data"]["Item"]
        design = self.qbo_account(US_REALM, "Design income")["Id"]
        product_item = items[lines[0]["SalesItemLineDetail"]["ItemRef"]["value"]]
        self.assertEqual(product_item["Name"], "QX Rock")
        for line in lines[1:]:
            item = items[line["SalesItemLineDetail"]["ItemRef"]["value"]]
            self.assertEqual(item["IncomeAccountRef"]["value"], design, "revenue lands on the line's account")
        self.assertIn("QX Design hour", lines[1]["Description"])
        self.assertEqual(lines[1]["SalesItemLineDetail"]["ItemRef"], lines[2]["SalesItemLineDetail"]["ItemRef"],
                         "one item per account, created once")

    def test_discount_section_and_note_lines_keep_the_total_to_the_cent(self):
        move = self.invoice([
            {"display_type": "line_section", "name": "Stones"},
            {"product_id": self.us_product.id, "quantity": 7, "price_unit": 13.33, "discount": 12.5,
             "tax_ids": [Command.set(self.us_tax.ids)]},
            {"display_type": "line_note", "name": "Delivered on a pallet"},
            {"product_id": self.us_product.id, "quantity": 1, "price_unit": -5, "tax_ids": [Command.clear()]},
        ])
        self.send()
        stored = self.stored(move)
        self.assertEqual((stored["TotalAmt"], stored["TxnTaxDetail"]["TotalTax"]), (move.amount_total,
                                                                                  move.amount_tax))
        texts = [line["Description"] for line in stored["Line"] if line["DetailType"] == "DescriptionOnly"]
        self.assertEqual(texts, ["Stones", "Delivered on a pallet"])
        first = self.sales_lines(stored)[0]
        self.assertEqual(first["Amount"], move.invoice_line_ids[1].price_subtotal)

    def test_reset_edit_and_post_again_updates_the_same_invoice(self):
        move = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 80}])
        self.send()
        qbo_id = move.qbo_id
        token = self.stored(move)["SyncToken"]
        move.button_draft()
        move.write({"invoice_line_ids": [Command.create({"product_id": self.us_product.id, "quantity": 2,
                                                         "price_unit": 5})]})
        move.action_post()
        self.send()
        stored = self.stored(move)
        self.assertEqual(move.qbo_id, qbo_id, "the same QuickBooks invoice")
        self.assertNotEqual(stored["SyncToken"], token)
        self.assertEqual(len(self.sales_lines(stored)), 2, "lines replaced, not added")
        self.assertEqual(stored["TotalAmt"], 90.0)
        invoices = [i for i in self.emulator_admin.dump(US_REALM)["data"]["Invoice"].values()
                    if i.get("DocNumber") == move.name]
        self.assertEqual(len(invoices), 1)

    def test_cancel_voids_and_delete_deletes(self):
        cancelled = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 80}])
        deleted = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 40}])
        self.send()
        deleted_id = deleted.qbo_id
        cancelled.button_cancel()
        deleted.button_draft()
        deleted.with_context(force_delete=True).unlink()
        self.send()
        stored = self.stored(cancelled)
        self.assertEqual(stored["TotalAmt"], 0.0)
        self.assertIn("Voided", stored.get("PrivateNote", ""))
        self.assertNotIn(deleted_id, self.emulator_admin.dump(US_REALM)["data"]["Invoice"])

    def test_a_paid_invoice_is_never_voided_nor_shrunk_below_what_was_paid(self):
        for policy in ("unapply", "refuse"):
            self.emulator_admin.configure(policy={"paid_invoice_void": policy})
            move = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 80}])
            self.send()
            self.pay_in_quickbooks(move, 50)
            move.button_draft()
            move.invoice_line_ids.price_unit = 30
            move.action_post()
            self.send()
            job = self.doc_job(move)
            self.assertEqual(job.state, "failed")
            self.assertIn("more than its new total", job.error_message)
            move.button_cancel()
            self.send()
            job = self.doc_job(move)
            self.assertEqual((job.operation, job.state), ("void", "failed"), policy)
            self.assertIn("has 50.00 applied to it", job.error_message)
            self.assertEqual(self.stored(move)["TotalAmt"], 80.0, "QuickBooks untouched")

    def pay_in_quickbooks(self, move, amount):
        qb = self.qbo_client()
        from quickbooks.objects import Payment
        payment = Payment.from_json({"CustomerRef": {"value": self.binding_of(self.us_customer).qbo_id},
                                     "TotalAmt": amount, "Line": [{"Amount": amount, "LinkedTxn": [
                                         {"TxnId": move.qbo_id, "TxnType": "Invoice"}]}]})
        payment.save(qb=qb)

    def qbo_client(self):
        from ..emulator.testing import quickbooks
        return quickbooks(self.emulator.url, US_REALM, self.emulator_admin.grant(US_REALM)["access_token"])

    def test_credit_note(self):
        refund = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 25,
                                "tax_ids": [Command.set(self.us_tax.ids)]}], move_type="out_refund")
        self.send()
        job = self.doc_job(refund)
        self.assertEqual((job.qbo_entity, job.state), ("CreditMemo", "done"), job.error_message)
        stored = self.stored(refund)
        self.assertEqual(stored["TotalAmt"], refund.amount_total)
        self.assertEqual(stored["RemainingCredit"], refund.amount_total)
        self.assertEqual(refund.qbo_sync_state, "synced")

    def test_one_line_summary(self):
        self.us.write({"invoice_one_line": True, "invoice_one_line_template": "Invoice: {number} / {partner}"})
        move = self.invoice([
            {"product_id": self.us_product.id, "quantity": 3, "price_unit": 10, "tax_ids": [Command.set(
                self.us_tax.ids)]},
            {"product_id": self.us_product.id, "quantity": 1, "price_unit": 7, "tax_ids": [Command.set(
                self.us_tax.ids)]},
            {"product_id": self.us_product.id, "quantity": 1, "price_unit": 5, "tax_ids": [Command.clear()]},
        ])
        self.send()
        lines = self.sales_lines(self.stored(move))
        self.assertEqual(len(lines), 2, "one line per tax code")
        self.assertEqual(sorted(line["Amount"] for line in lines), [5.0, 37.0])
        self.assertEqual(lines[0]["Description"], "Invoice: %s / QX Customer Inc" % move.name)
        self.assertEqual(self.stored(move)["TotalAmt"], move.amount_total)

    def test_when_fully_paid_sends_nothing_until_paid(self):
        self.us.invoice_send_policy = "paid"
        move = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 80}])
        self.assertFalse(self.doc_job(move), "posted, not paid: nothing queued")
        bank = self.env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", move.company_id.id)],
                                                  limit=1)
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {"journal_id": bank.id, "amount": 30})._create_payments()
        self.assertFalse(self.doc_job(move), "partly paid: still nothing")
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {"journal_id": bank.id})._create_payments()
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(self.doc_job(move).state, "pending")
        self.send()
        self.assertEqual(self.stored(move)["TotalAmt"], 80.0)

    def test_documents_before_the_start_date_go_only_through_the_bulk_action(self):
        self.us.documents_from = fields.Date.today()
        old = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 80}],
                           invoice_date=date(2020, 1, 15))
        self.assertFalse(self.doc_job(old))
        wizard = self.env["qbo.bulk.action"].with_user(self.manager).with_context(
            active_model="account.move", active_ids=old.ids).create({"operation": "sync"})
        self.assertEqual(wizard.entity, "Invoice")
        wizard.action_apply()
        self.assertEqual((wizard.synced_count, wizard.failed_count), (1, 0), wizard.details)
        self.assertEqual(self.stored(old)["TxnDate"], "2020-01-15")
        link = self.env["qbo.bulk.action"].with_user(self.manager).with_context(
            active_model="account.move", active_ids=old.ids).create({"operation": "link"})
        with self.assertRaisesRegex(UserError, "Only customers, vendors and products are linked from a list"):
            link.action_apply()

    def test_a_duplicate_number_offers_to_link_the_same_invoice(self):
        move = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 80}])
        self.send()
        qbo_id = move.qbo_id
        move.qbo_binding_id.unlink()   # the link is lost; QuickBooks still has the invoice
        move.button_draft()
        move.action_post()
        self.send()
        job = self.doc_job(move)
        self.assertEqual((job.state, job.error_code, job.conflict_qbo_id), ("failed", "6140", qbo_id))
        self.assertIn("Link to it", job.error_message)
        job.with_user(self.manager).action_qbo_link_existing()
        self.assertEqual(move.qbo_id, qbo_id)

    def test_a_lost_answer_is_resent_without_a_second_invoice(self):
        move = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 80}])
        self.send()   # customer and product first
        move2 = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 81}])
        with self.answer_lost_once():
            try:
                self.process()
            except ConnectionError:
                pass
            self.Job.search([("state", "=", "running")]).write(
                {"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
            self.process()
        invoices = [i for i in self.emulator_admin.dump(US_REALM)["data"]["Invoice"].values()
                    if i.get("DocNumber") == move2.name]
        self.assertEqual(len(invoices), 1)
        self.assertEqual(self.doc_job(move2).state, "done")
        self.assertTrue(move.qbo_id)

    def test_the_pdf_is_attached_to_the_quickbooks_invoice(self):
        import requests
        self.us.invoice_attach_pdf = True
        move = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 80}])
        self.send()
        job = self.Job.search([("res_model", "=", "account.move"), ("res_id", "=", move.id),
                               ("qbo_entity", "=", "Attachable")])
        self.assertEqual(job.state, "done", job.error_message)
        attachables = [a for a in self.emulator_admin.dump(US_REALM)["data"]["Attachable"].values()
                       if a["AttachableRef"][0]["EntityRef"]["value"] == move.qbo_id]
        self.assertEqual(len(attachables), 1)
        attachable = attachables[0]
        self.assertEqual((attachable["AttachableRef"][0]["EntityRef"]["type"], attachable["FileName"]),
                         ("Invoice", move.name.replace("/", "_") + ".pdf"))
        content = requests.get(attachable["TempDownloadUri"], timeout=30).content
        self.assertEqual(content, self.env["qbo.handler.attachable"]._qbo_pdf(move), "stored byte for byte")
        move.button_draft()
        move.action_post()
        self.send()
        self.assertEqual(len([a for a in self.emulator_admin.dump(US_REALM)["data"]["Attachable"].values()
                              if a["AttachableRef"][0]["EntityRef"]["value"] == move.qbo_id]), 1,
                         "attached once, not at every update")
        move.button_cancel()
        self.send()
        self.assertEqual(self.stored(move)["TotalAmt"], 0.0, "voided")
        self.assertEqual(self.Job.search([("res_id", "=", move.id), ("qbo_entity", "=", "Attachable"),
                                          ("operation", "!=", "push")]).mapped("operation"), [],
                         "QuickBooks keeps a voided invoice's attachment: nothing to end")

    def test_a_line_without_product_counts_whatever_quickbooks_does_with_item_less_lines(self):
        for policy in ("documentation", "default_item"):
            self.emulator_admin.configure(policy={"line_without_item": policy})
            move = self.invoice([{"name": "Consulting, %s" % policy, "quantity": 2, "price_unit": 45,
                                  "account_id": self.us_services.id, "tax_ids": [Command.clear()]}])
            self.send()
            stored = self.stored(move)
            self.assertEqual(stored["TotalAmt"], 90.0, policy)
            self.assertTrue(all(line["SalesItemLineDetail"].get("ItemRef") for line in self.sales_lines(stored)),
                            "every line names an Item, so QuickBooks counts it")

    def test_unmapped_tax_and_term_are_named_and_nothing_is_sent(self):
        stray_tax = self.env["account.tax"].create({"name": "QX never mapped 3%", "amount": 3,
                                                    "type_tax_use": "sale", "company_id": self.us.company_id.id})
        untaxed = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 10,
                                 "tax_ids": [Command.set(stray_tax.ids)]}])
        term = self.env["account.payment.term"].create({"name": "QX 45 days, never mapped", "line_ids": [
            Command.create({"value": "percent", "value_amount": 100, "nb_days": 45, "delay_type": "days_after"})]})
        termed = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 10}],
                              invoice_payment_term_id=term.id)
        self.send()
        self.assertEqual(self.doc_job(untaxed).state, "failed")
        self.assertIn("QX never mapped 3%", self.doc_job(untaxed).error_message)
        self.assertIn("Tax Mapping", self.doc_job(untaxed).error_message)
        self.assertEqual(self.doc_job(termed).state, "failed")
        self.assertIn("QX 45 days, never mapped", self.doc_job(termed).error_message)
        self.assertEqual([i for i in self.emulator_admin.dump(US_REALM)["data"]["Invoice"].values()
                          if i.get("DocNumber") in (untaxed.name, termed.name)], [])

    def test_us_without_automated_sales_tax_names_the_document_tax_code(self):
        self.emulator_admin.patch(US_REALM, "Preferences", {"TaxPrefs": {"PartnerTaxEnabled": False}})
        self.update_lists(self.us)
        california = self.env["account.tax"].create({"name": "QX CA 8", "amount": 8, "type_tax_use": "sale",
                                                     "company_id": self.us.company_id.id})
        self.propose(self.us)
        self.assertEqual(self.us._qbo_tax_mode(), "us_manual")
        move = self.invoice([
            {"product_id": self.us_product.id, "quantity": 3, "price_unit": 33.33,
             "tax_ids": [Command.set(california.ids)]},
            {"product_id": self.us_product.id, "quantity": 1, "price_unit": 20, "tax_ids": [Command.clear()]}])
        self.send()
        stored = self.stored(move)
        self.assertEqual(stored["TxnTaxDetail"]["TxnTaxCodeRef"]["name"], "California")
        self.assertEqual([line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in self.sales_lines(stored)],
                         ["TAX", "NON"])
        self.assertEqual((stored["TotalAmt"], stored["TxnTaxDetail"]["TotalTax"]), (move.amount_total,
                                                                                  move.amount_tax))

    def test_cash_rounding_keeps_the_total_to_the_cent(self):
        rounding = self.env["account.cash.rounding"].create({
            "name": "QX 0.05", "rounding": 0.05, "strategy": "add_invoice_line", "rounding_method": "HALF-UP",
            "profit_account_id": self.us_services.id, "loss_account_id": self.us_services.id})
        move = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 10.02,
                              "tax_ids": [Command.set(self.us_tax.ids)]}], invoice_cash_rounding_id=rounding.id)
        self.assertTrue(move.line_ids.filtered(lambda line: line.display_type == "rounding"))
        self.send()
        stored = self.stored(move)
        self.assertEqual(stored["TotalAmt"], move.amount_total)
        self.assertEqual(round(stored["TotalAmt"] * 20, 6) % 1, 0, "a multiple of 0.05")
        self.assertEqual(len(self.sales_lines(stored)), 2, "the product and the rounding")

    def test_the_invoices_list_filters_by_quickbooks_state(self):
        synced = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 80}])
        self.send()
        unsent = self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": 80}])
        Move = self.env["account.move"]
        self.assertIn(synced, Move.search([("qbo_sync_state", "=", "synced")]))
        self.assertIn(unsent, Move.search([("qbo_sync_state", "=", "queued")]))
        self.assertNotIn(synced, Move.search([("qbo_sync_state", "in", ("unsynced", "error", "mismatch"))]))
        action = synced.action_qbo_view_in_quickbooks()
        self.assertIn("/app/invoice?txnId=%s" % synced.qbo_id, action["url"])
        # A sent invoice with a change waiting is queued, in the list's filter as on the form.
        self.env["qbo.sync.job"]._qbo_enqueue(self.connection, synced, "Invoice")
        synced.invalidate_recordset(["qbo_sync_state"])
        self.assertEqual(synced.qbo_sync_state, "queued")
        self.assertIn(synced, Move.search([("qbo_sync_state", "=", "queued")]))
        self.assertNotIn(synced, Move.search([("qbo_sync_state", "=", "synced")]))
        # Every state, and its negation: the filter finds exactly the invoices the form shows in it.
        refused, differing, dropped = (self.invoice([{"product_id": self.us_product.id, "quantity": 1,
                                                      "price_unit": 80}]) for _n in range(3))
        self.send()
        self.binding_of(refused, "Invoice").state = "error"
        self.binding_of(differing, "Invoice").mismatch = "QuickBooks 79.00, Odoo 80.00"
        self.binding_of(dropped, "Invoice").unlink()
        self.env["qbo.sync.job"]._qbo_enqueue(self.connection, unsent, "Invoice")
        moves = synced | unsent | refused | differing | dropped
        moves.invalidate_recordset(["qbo_sync_state"])
        self.assertEqual(moves.mapped("qbo_sync_state"), ["synced", "queued", "error", "mismatch", "unsynced"])
        for state in ("synced", "queued", "error", "mismatch", "unsynced"):
            shown = moves.filtered(lambda move: move.qbo_sync_state == state)
            self.assertEqual(Move.search([("id", "in", moves.ids), ("qbo_sync_state", "=", state)]), shown, state)
            self.assertEqual(Move.search([("id", "in", moves.ids), ("qbo_sync_state", "!=", state)]),
                             moves - shown, state)


@tagged("post_install", "-at_install")
class TestQboInvoicesUK(QboDocumentsCase):
    """The UK company: a VAT code per line, tax-exclusive or tax-inclusive, multicurrency, closed books."""

    def setUp(self):
        super().setUp()
        self.setup_uk()

    def test_tax_exclusive_invoice_carries_odoos_vat_per_rate(self):
        move = self.uk_invoice([
            {"product_id": self.uk_product.id, "quantity": 3, "price_unit": 33.33,
             "tax_ids": [Command.set(self.vat20.ids)]},
            {"product_id": self.uk_product.id, "quantity": 1, "price_unit": 10.01,
             "tax_ids": [Command.set(self.vat5.ids)]},
            {"product_id": self.uk_product.id, "quantity": 1, "price_unit": 4, "tax_ids": [Command.clear()]},
        ])
        self.send(self.uk)
        stored = self.stored(move, UK_REALM)
        self.assertEqual(stored["GlobalTaxCalculation"], "TaxExcluded")
        self.assertEqual(stored["TotalAmt"], move.amount_total)
        self.assertEqual(stored["TxnTaxDetail"]["TotalTax"], move.amount_tax)
        codes = [line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in self.sales_lines(stored)]
        names = {row.qbo_id: row.name for row in self.rows("tax_code", self.uk)}
        self.assertEqual([names[code] for code in codes], ["20.0% S", "5.0% R", "No VAT"])
        self.assertEqual(move.qbo_sync_state, "synced")

    def test_tax_inclusive_invoice(self):
        move = self.uk_invoice([{"product_id": self.uk_product.id, "quantity": 3, "price_unit": 39.99,
                                 "tax_ids": [Command.set(self.vat20_incl.ids)]}])
        self.send(self.uk)
        stored = self.stored(move, UK_REALM)
        self.assertEqual(stored["GlobalTaxCalculation"], "TaxInclusive")
        self.assertEqual((stored["TotalAmt"], stored["TxnTaxDetail"]["TotalTax"]),
                         (move.amount_total, move.amount_tax))
        line = self.sales_lines(stored)[0]
        self.assertEqual(line["SalesItemLineDetail"]["TaxInclusiveAmt"], 119.97)

    def test_a_euro_invoice_carries_its_currency_and_rate(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create({"currency_id": eur.id, "rate": 1.17, "name": fields.Date.today(),
                                              "company_id": self.uk.company_id.id})
        pricelist = self.env["product.pricelist"].create({"name": "QX EUR", "currency_id": eur.id,
                                                          "company_id": self.uk.company_id.id})
        euro_customer = self.env["res.partner"].with_company(self.uk.company_id).create({
            "name": "QX Euro Client", "customer_rank": 1, "company_id": self.uk.company_id.id,
            "property_product_pricelist": pricelist.id})
        move = self.invoice([{"product_id": self.uk_product.id, "quantity": 2, "price_unit": 50,
                              "tax_ids": [Command.set(self.vat20.ids)]}], partner=euro_customer,
                            journal=self.uk_journal, currency_id=eur.id)
        self.send(self.uk)
        stored = self.stored(move, UK_REALM)
        self.assertEqual(stored["CurrencyRef"]["value"], "EUR")
        customer = self.emulator_admin.dump(UK_REALM)["data"]["Customer"][self.binding_of(euro_customer).qbo_id]
        self.assertEqual(customer["CurrencyRef"]["value"], "EUR", "the customer went first, in euros")
        self.assertEqual(stored["TotalAmt"], 120.0)
        self.assertAlmostEqual(stored["ExchangeRate"], abs(move.amount_total_signed / move.amount_total), places=5)
        self.assertAlmostEqual(stored["HomeTotalAmt"], abs(move.amount_total_signed), places=1)

    def test_closed_books_are_named_before_anything_is_sent(self):
        move = self.uk_invoice([{"product_id": self.uk_product.id, "quantity": 1, "price_unit": 10,
                                 "tax_ids": [Command.set(self.vat20.ids)]}], invoice_date=date(2023, 6, 30))
        self.emulator_admin.clear_counters()
        self.send(self.uk)
        job = self.doc_job(move)
        self.assertEqual(job.state, "failed")
        self.assertIn("closed until 2023-12-31", job.error_message)
        self.assertIn("dated 2023-06-30", job.error_message)
        self.assertFalse([i for i in self.emulator_admin.dump(UK_REALM)["data"]["Invoice"].values()
                          if i.get("DocNumber") == move.name])

    def test_custom_fields_are_filled_from_the_chosen_odoo_fields(self):
        ref_field = self.env["ir.model.fields"]._get("account.move", "ref")
        self.uk.invoice_custom_field_2 = ref_field
        move = self.uk_invoice([{"product_id": self.uk_product.id, "quantity": 1, "price_unit": 10,
                                 "tax_ids": [Command.set(self.vat20.ids)]}], ref="PO-7781")
        self.send(self.uk)
        custom = self.stored(move, UK_REALM)["CustomField"]
        self.assertEqual([(field["DefinitionId"], field["StringValue"]) for field in custom], [("2", "PO-7781")])


@tagged("post_install", "-at_install")
class TestQboInvoicesSplitByMonth(QboDocumentsCase):
    """"Split by month": an invoice whose lines fall in several months is one QuickBooks invoice per month."""

    def setUp(self):
        super().setUp()
        self.us.invoice_split_by_month = True

    def lines(self, *months):
        return [{"product_id": self.us_product.id, "quantity": 1, "price_unit": 10.0 + n, "tax_ids": [Command.set(
            self.us_tax.ids)], "qbo_service_date": date(2026, month, 15)} for n, month in enumerate(months)]

    def test_lines_in_three_months_become_three_invoices_adding_up_to_odoos(self):
        move = self.invoice(self.lines(1, 1, 2, 3) + [{"display_type": "line_note", "name": "Thanks"}])
        self.send()
        bindings = move.qbo_binding_id.search([("res_model", "=", "account.move"), ("res_id", "=", move.id),
                                               ("qbo_entity", "=", "Invoice"), ("qbo_id", "!=", False)],
                                              order="part")
        self.assertEqual(bindings.mapped("part"), ["2026-01", "2026-02", "2026-03"])
        data = self.emulator_admin.dump(US_REALM)["data"]["Invoice"]
        stored = [data[binding.qbo_id] for binding in bindings]
        self.assertEqual([invoice["DocNumber"] for invoice in stored],
                         ["%s-%d" % (move.name, n) for n in (1, 2, 3)])
        self.assertEqual([len(self.sales_lines(invoice)) for invoice in stored], [2, 1, 1])
        self.assertEqual(round(sum(invoice["TotalAmt"] for invoice in stored), 2), move.amount_total)
        self.assertEqual(round(sum(invoice["TxnTaxDetail"]["TotalTax"] for invoice in stored), 2), move.amount_tax)
        self.assertEqual(self.sales_lines(stored[1])[0]["SalesItemLineDetail"]["ServiceDate"], "2026-02-15")
        self.assertEqual((move.qbo_sync_state, move.qbo_balance), ("synced", move.amount_total))
        self.assertFalse(move.qbo_mismatch)

    def test_an_invoice_in_one_month_stays_one_invoice_and_a_later_split_replaces_it(self):
        move = self.invoice(self.lines(1, 1))
        self.send()
        whole = move.qbo_id
        self.assertEqual(self.stored(move)["DocNumber"], move.name)
        move.button_draft()
        move.invoice_line_ids[1].qbo_service_date = date(2026, 2, 1)
        move.action_post()
        self.send()
        data = self.emulator_admin.dump(US_REALM)["data"]["Invoice"]
        self.assertNotIn(whole, data, "the invoice sent whole is replaced by the months")
        self.assertEqual(sorted(invoice["DocNumber"] for invoice in data.values()
                                if invoice.get("DocNumber", "").startswith(move.name)),
                         [move.name + "-1", move.name + "-2"])
