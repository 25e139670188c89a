"""QuickBooks' query language: quoted literals and whole lists read a page at a time.

QuickBooks answers at most 1000 rows a query (MAXRESULTS above that is an
error 4001) and 100 when MAXRESULTS is left out, so a list read in one query
silently stops at 100. ``STARTPOSITION`` is 1-based.
"""
import re

PAGE_SIZE = 1000
_ENTITY = re.compile(r"^[A-Z][A-Za-z]+$")


def quote(value):
    """A string literal for QuickBooks' query language: backslash and quote escaped."""
    return "'%s'" % str(value).replace("\\", "\\\\").replace("'", "\\'")


def quote_list(values):
    """``('a', 'b')`` for an ``IN`` condition."""
    return "(%s)" % ", ".join(quote(value) for value in values)


def page_query(entity, where="", start=1, size=PAGE_SIZE, select="*", order=""):
    """One page's ``SELECT``; the entity is checked, never taken from input as is."""
    if not _ENTITY.match(entity or ""):
        raise ValueError("not a QuickBooks entity name: %r" % entity)
    sql = "SELECT %s FROM %s" % (select, entity)
    if where:
        sql += " WHERE " + where
    if order:
        sql += " ORDERBY " + order
    return "%s STARTPOSITION %d MAXRESULTS %d" % (sql, int(start), int(size))


def read_pages(run_query, entity, where="", select="*", order="", size=PAGE_SIZE):
    """Every row of ``entity`` matching ``where``; ``run_query(sql)`` returns the JSON answer.

    Pages are requested until one comes back short, so the caller makes one
    call per 1000 rows (plus one when the count is an exact multiple).
    """
    rows, start = [], 1
    while True:
        answer = run_query(page_query(entity, where, start, size, select, order))
        page = (answer.get("QueryResponse") or {}).get(entity) or []
        rows.extend(page)
        if len(page) < size:
            return rows
        start += size
