"""What the addon asks of QuickBooks, as plain dicts, over one ``send`` callable.

``send(method, path, params=None, body=None, request_id=None, **options)``
is the connection's gateway (token, rate limit, fault classification); the
path is relative to ``/v3/company/<realm>/``. Nothing here builds a URL or
knows about Odoo, so the same calls serve the addon, the tools and tests.
"""
from . import paging

BATCH_SIZE = 30   # Intuit's limit per batch call


class QboApi:
    def __init__(self, send):
        self._send = send

    def request(self, method, path, params=None, body=None, request_id=None, **options):
        return self._send(method, path, params=params, body=body, request_id=request_id, **options)

    # ------------------------------------------------------------------ reads
    def read(self, entity, qbo_id, params=None):
        """One object by Id (e.g. ``read("Invoice", "130")``)."""
        return self.request("GET", "%s/%s" % (entity.lower(), qbo_id), params=params).get(entity) or {}

    def query(self, sql):
        """The ``QueryResponse`` of one query."""
        return self.request("POST", "query", body=sql, content_type="application/text").get("QueryResponse") or {}

    def query_page(self, entity, where="", start=1, size=paging.PAGE_SIZE, select="*", order=""):
        """The rows of one page, from position ``start`` (1-based)."""
        return self.query(paging.page_query(entity, where, start, size, select, order)).get(entity) or []

    def query_all(self, entity, where="", select="*", order=""):
        """Every row matching ``where``: one call per page of 1,000, never one per record."""
        return paging.read_pages(lambda sql: {"QueryResponse": self.query(sql)}, entity, where, select, order)

    def read_ids(self, entity, qbo_ids, with_inactive=True):
        """The rows with these Ids (inactive ones too for lists), 1,000 ids a call."""
        values = sorted({str(value).strip() for value in qbo_ids if str(value or "").strip()})
        rows = []
        for start in range(0, len(values), paging.PAGE_SIZE):
            where = "Id IN %s" % paging.quote_list(values[start:start + paging.PAGE_SIZE])
            if with_inactive:
                where = "Active IN (true, false) AND " + where
            rows += self.query_all(entity, where)
        return rows

    def preferences(self):
        return self.request("GET", "preferences").get("Preferences") or {}

    def company_info(self, realm_id):
        return self.request("GET", "companyinfo/%s" % realm_id).get("CompanyInfo") or {}

    def cdc(self, entities, changed_since):
        """Change Data Capture: what changed in ``entities`` since an ISO timestamp (at most 30 days back)."""
        return self.request("GET", "cdc", params={"entities": ",".join(entities), "changedSince": changed_since})

    def report(self, name, **params):
        return self.request("GET", "reports/%s" % name, params=params)

    # ------------------------------------------------------------------ writes
    def batch(self, items, request_id):
        """One batch call (at most 30 items); the answer keeps Intuit's ``intuit_tid``."""
        if len(items) > BATCH_SIZE:
            raise ValueError("a QuickBooks batch carries at most %d items" % BATCH_SIZE)
        return self.request("POST", "batch", body={"BatchItemRequest": items}, request_id=request_id)

    def upload(self, metadata, content, request_id=None):
        """An Attachable with its file (``metadata`` needs FileName and ContentType)."""
        return self.request("POST", "upload", body=metadata, request_id=request_id, file_bytes=content)
