from odoo import models
from odoo.osv import expression


class QboDocumentMixin(models.AbstractModel):
    """A document that QuickBooks holds as one or more transactions (invoices, credit notes, payments).

    Its QuickBooks state is read from its bindings and waiting jobs, for a
    whole list at once, in one order of precedence: refused, then queued, then
    mismatch or synced, else not sent. The list filters search the same way.
    """

    _name = "qbo.document.mixin"
    _description = "Document sent to QuickBooks Online"

    # The QuickBooks types this model's documents go as.
    _qbo_document_entities = ()

    def _qbo_document_scope(self):
        """The domain of this model's documents that go to QuickBooks at all (the others have no state)."""
        raise NotImplementedError()

    def _qbo_document_links(self, documents):
        """Per document id, its bindings (in part order); and the ids with a change of their own waiting to be
        sent (an attachment or a credit applied waiting does not make the document queued)."""
        Binding = self.env["qbo.binding"].sudo()
        if not documents:
            return {}, set()
        links = {}
        for binding in Binding.search([("res_model", "=", self._name), ("res_id", "in", documents.ids),
                                       ("qbo_entity", "in", self._qbo_document_entities)], order="part, id"):
            links[binding.res_id] = links.get(binding.res_id, Binding) | binding
        queued = set(self.env["qbo.sync.job"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", documents.ids),
            ("qbo_entity", "in", self._qbo_document_entities),
            ("state", "in", ("pending", "running"))]).mapped("res_id"))
        return links, queued

    def _qbo_document_state(self, bindings, queued):
        """The state of a document from its ``bindings`` and whether a change of its own is ``queued``, in the
        order of precedence the list filters search in."""
        if "error" in bindings.mapped("state"):
            return "error"
        if queued:
            return "queued"
        sent = bindings.filtered("qbo_id")
        if not sent:
            return "unsynced"
        return "mismatch" if any(sent.mapped("mismatch")) else "synced"

    def _search_qbo_sync_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            return [("id", "=", False)]
        wanted = {value} if isinstance(value, str) else set(value or [])
        if operator in ("!=", "not in"):
            wanted = {key for key, _label in self._fields["qbo_sync_state"].selection} - wanted
        Binding, Job = self.env["qbo.binding"].sudo(), self.env["qbo.sync.job"].sudo()
        base = [("res_model", "=", self._name), ("qbo_entity", "in", self._qbo_document_entities)]
        # Sub-queries, not id lists: a filter on a hundred thousand invoices stays one query.
        error = Binding._search(base + [("state", "=", "error")]).subselect("res_id")
        waiting = Job._search(base + [("state", "in", ("pending", "running"))]).subselect("res_id")
        bound = Binding._search(base + [("qbo_id", "!=", False)]).subselect("res_id")
        differing = Binding._search(base + [("qbo_id", "!=", False), ("mismatch", "!=", False)]).subselect("res_id")
        queued = [("id", "in", waiting), ("id", "not in", error)]
        sent = [("id", "in", bound), ("id", "not in", error), ("id", "not in", waiting)]
        by_state = {
            "error": [("id", "in", error)],
            "queued": queued,
            "mismatch": sent + [("id", "in", differing)],
            "synced": sent + [("id", "not in", differing)],
            "unsynced": self._qbo_document_scope() + [("id", "not in", error), ("id", "not in", waiting),
                                                      ("id", "not in", bound)],
        }
        domains = [by_state[state] for state in wanted if state in by_state]
        return expression.OR(domains) if domains else [("id", "=", False)]
