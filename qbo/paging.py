"""Reading whole QuickBooks lists: query pages of 1000 and quoted literals.

QuickBooks answers at most 1000 rows a query (MAXRESULTS above that is an
error 4001) and 100 when MAXRESULTS is left out, so a list read in one query
silently stops at 100. ``STARTPOSITION`` is 1-based.
"""

PAGE_SIZE = 1000


def quote(value):
    """A string literal for QuickBooks' query language: backslash and quote escaped."""
    return "'%s'" % str(value).replace("\\", "\\\\").replace("'", "\\'")


def page_query(entity, where="", start=1, size=PAGE_SIZE, select="*"):
    sql = "SELECT %s FROM %s" % (select, entity)
    if where:
        sql += " WHERE " + where
    return "%s STARTPOSITION %d MAXRESULTS %d" % (sql, start, size)


def read_pages(run_query, entity, where="", select="*", size=PAGE_SIZE):
    """Every row of ``entity`` matching ``where``; ``run_query(sql)`` returns the JSON answer.

    Pages are requested until one comes back short, so the caller makes one
    call per 1000 rows (plus one when the count is an exact multiple).
    """
    rows, start = [], 1
    while True:
        answer = run_query(page_query(entity, where, start, size, select))
        page = (answer.get("QueryResponse") or {}).get(entity) or []
        rows.extend(page)
        if len(page) < size:
            return rows
        start += size
