from odoo import api, models

PAGE_SIZE = 1000   # QuickBooks' maximum MAXRESULTS
# Only these names are ever put into a query: the entity is never taken from user input as is.
QUERYABLE = frozenset({"Account", "Class", "Customer", "Department", "Employee", "Item", "PaymentMethod",
                       "TaxCode", "TaxRate", "Term", "Vendor"})


class QboQuery(models.AbstractModel):
    """Paginated reads of QuickBooks lists, one call per 1,000 rows, through the connection's choke point."""

    _name = "qbo.query"
    _description = "QuickBooks Online paginated reads"

    @api.model
    def _qbo_sql(self, entity, start, size, where="", order=""):
        if entity not in QUERYABLE:
            raise ValueError("Not a QuickBooks list that can be queried: %r" % entity)
        sql = "SELECT * FROM %s" % entity
        if where:
            sql += " WHERE " + where
        if order:
            sql += " ORDERBY " + order
        return sql + " STARTPOSITION %d MAXRESULTS %d" % (int(start), int(size))

    @api.model
    def _qbo_page(self, connection, entity, start=1, size=PAGE_SIZE, where="", order=""):
        """The rows of ``entity`` from position ``start`` (1-based), at most ``size`` of them."""
        sql = self._qbo_sql(entity, start, size, where, order)
        answer = connection._qbo_call(lambda client: client.query(sql))
        return (answer.get("QueryResponse") or {}).get(entity, [])

    @api.model
    def _qbo_read_all(self, connection, entity, where="", order=""):
        """Every row of ``entity``: one call per page of 1,000, never one per record."""
        rows, start = [], 1
        while True:
            page = self._qbo_page(connection, entity, start, PAGE_SIZE, where, order)
            rows.extend(page)
            if len(page) < PAGE_SIZE:
                return rows
            start += len(page)

    @api.model
    def _qbo_read_ids(self, connection, entity, qbo_ids):
        """The rows of ``entity`` with these Ids, inactive ones included, one call per 1,000 ids."""
        ids = sorted({str(qbo_id).strip() for qbo_id in qbo_ids if str(qbo_id or "").strip()})
        rows = []
        for start in range(0, len(ids), PAGE_SIZE):
            chunk = ids[start:start + PAGE_SIZE]
            quoted = ", ".join("'%s'" % qbo_id.replace("\\", "\\\\").replace("'", "\\'") for qbo_id in chunk)
            rows += self._qbo_page(connection, entity, 1, PAGE_SIZE,
                                   where="Active IN (true, false) AND Id IN (%s)" % quoted)
        return rows
