from odoo import _, models

from .. import qbo
from .qbo_handler import LEVEL_SETTLEMENTS

FILE_NAME_MAX = 1000


class QboHandlerAttachable(models.AbstractModel):
    """Odoo's PDF of an invoice or credit note, uploaded to QuickBooks and attached to the document there.

    Uploads cannot travel in a batch: each goes in a call of its own, under
    its job's request id, so a resend after a lost answer attaches nothing
    twice. The PDF is attached once, when the document first reaches
    QuickBooks (connection option "Attach the PDF").
    """

    _name = "qbo.handler.attachable"
    _inherit = "qbo.handler"
    _description = "Attached PDF"

    _qbo_entity = "Attachable"
    _qbo_model = "account.move"
    _qbo_level = LEVEL_SETTLEMENTS    # after the document it is attached to
    _qbo_ending = None                # QuickBooks deletes a document's attachments with it
    _qbo_has_active = False
    _qbo_batchable = False

    def _qbo_wants(self, moves):
        return moves.browse()         # queued by the document's first send, never by saving the move

    def _qbo_document(self, connection, move):
        """The QuickBooks document the PDF goes with (the first month's, for an invoice split by month)."""
        entity = "CreditMemo" if move.move_type == "out_refund" else "Invoice"
        documents = self.env["qbo.handler"]._qbo_get(entity, "account.move")._qbo_documents(connection, move)
        return entity, documents[:1]

    def _qbo_dependencies(self, connection, move):
        entity, _binding = self._qbo_document(connection, move)
        return [(move, entity)]

    def _qbo_to_qbo(self, connection, move):
        entity, binding = self._qbo_document(connection, move)
        name = "%s.pdf" % (move.name or "document").replace("/", "_")
        return {"AttachableRef": [{"EntityRef": {"type": entity, "value": binding.qbo_id}, "IncludeOnSend": True}],
                "FileName": name[:FILE_NAME_MAX], "ContentType": "application/pdf",
                "Note": _("Odoo's %s", move.name)}

    def _qbo_pdf(self, move):
        """The PDF Odoo already keeps for the document (made when it was sent), or a fresh one."""
        if move.invoice_pdf_report_id:
            return move.invoice_pdf_report_id.raw
        content, _kind = self.env["ir.actions.report"].sudo()._render_qweb_pdf("account.account_invoices",
                                                                                 move.ids)
        return content

    def _qbo_send_direct(self, connection, job, move, payload):
        answer = connection._qbo_api().upload(payload, self._qbo_pdf(move), request_id=job.request_id)
        result = (answer.get("AttachableResponse") or [{}])[0]
        fault = result.get("Fault")
        if fault:
            error = (fault.get("Error") or [{}])[0]
            raise qbo.QboValidationError(error.get("Message", ""), error.get("code", ""), error.get("Detail", ""),
                                         intuit_tid=getattr(answer, "intuit_tid", ""))
        return result.get("Attachable") or {}
