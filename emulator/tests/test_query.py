"""Unit tests for emulator.query: the QBO SELECT parser and executor."""
from decimal import Decimal

import pytest

from emulator import query as q
from emulator.faults import QBOFault

ENTITIES = ["Customer", "Item", "Invoice", "Account"]


def parse(sql):
    return q.parse(sql, ENTITIES)


def run(sql, rows, tz=0):
    return q.execute(parse(sql), rows, tz)


def ids(rows):
    return [r["Id"] for r in rows]


def fault_of(sql):
    with pytest.raises(QBOFault) as info:
        parse(sql)
    return info.value


CUSTOMERS = [
    {"Id": "3", "DisplayName": "Amy's Bird Sanctuary", "Active": True, "Balance": 239.0,
     "PrimaryEmailAddr": {"Address": "Birds@Intuit.com"},
     "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
     "BillAddr": {"City": "Bayshore", "PostalCode": "94326"},
     "MetaData": {"CreateTime": "2024-01-01T09:00:00-08:00",
                  "LastUpdatedTime": "2024-03-01T10:00:00-08:00"}},
    {"Id": "12", "DisplayName": "O'Brien", "Active": True, "Balance": 0,
     "CompanyName": "",
     "CurrencyRef": {"value": "EUR", "name": "Euro"},
     "BillAddr": {"City": "Dublin"},
     "MetaData": {"CreateTime": "2024-01-02T09:00:00Z",
                  "LastUpdatedTime": "2024-01-02T09:00:00Z"}},
    {"Id": "2", "DisplayName": "Bill's Windsurf Shop", "Active": False, "Balance": Decimal("85.00"),
     "CompanyName": "Bill's Windsurf Shop",
     "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
     "MetaData": {"CreateTime": "2023-06-01T09:00:00.110-07:00",
                  "LastUpdatedTime": "2023-12-31T23:30:00.5-08:00"}},
    {"Id": "25", "DisplayName": "cool cars", "Active": True, "Balance": 1500.5,
     "PrimaryEmailAddr": {"Address": "cool@cars.example"},
     "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
     "MetaData": {"CreateTime": "2024-02-01T00:00:00Z",
                  "LastUpdatedTime": "2024-02-01T00:00:00Z"}},
]

INVOICES = [
    {"Id": "130", "DocNumber": "1037", "TxnDate": "2024-01-01", "TotalAmt": 362.07,
     "CustomerRef": {"value": "3", "name": "Amy's Bird Sanctuary"}},
    {"Id": "131", "DocNumber": "1038", "TxnDate": "2023-12-31", "TotalAmt": 100,
     "CustomerRef": {"value": "12", "name": "O'Brien"}},
    {"Id": "129", "DocNumber": "1036", "TxnDate": "2024-02-15", "TotalAmt": 50.5,
     "CustomerRef": {"value": "3", "name": "Amy's Bird Sanctuary"}},
]


# --- parsing ---------------------------------------------------------------------

def test_python_quickbooks_where_form():
    query = parse("SELECT * FROM Customer WHERE Active = true ORDERBY DisplayName "
                  "STARTPOSITION 1 MAXRESULTS 10")
    assert query.entity == "Customer"
    assert not query.is_count
    assert [(c.field, c.op, c.value) for c in query.conditions] == [("Active", "=", True)]
    assert query.order_by == [("DisplayName", False)]
    assert (query.start_position, query.max_results) == (1, 10)


def test_defaults():
    query = parse("SELECT * FROM Customer")
    assert query.conditions == [] and query.order_by == []
    assert (query.start_position, query.max_results) == (1, 100)


@pytest.mark.parametrize("sql", [
    "SELECT * FROM Customer MAXRESULTS 100",
    "SELECT * FROM Customer ORDER BY Id STARTPOSITION 101 MAXRESULTS 100",
    "SELECT * FROM Customer MAXRESULTS 5 STARTPOSITION 2 ORDERBY Id",
    "SELECT * FROM Customer WHERE Active = true;",
    "  select\n*\n from\tcustomer\n where active = TRUE  ;  ",
    "SELECT * FROM Customer WHERE DisplayName in ('a', 'b')",
])
def test_accepted_forms(sql):
    assert parse(sql).entity == "Customer"


def test_keywords_and_entity_case_insensitive():
    query = parse("select count(*) from cUsToMeR where DisplayName like '%a%' "
                  "orderby DisplayName desc startposition 2 maxresults 3")
    assert query.entity == "Customer" and query.is_count
    assert query.conditions[0].op == "LIKE"
    assert query.order_by == [("DisplayName", True)]
    assert (query.start_position, query.max_results) == (2, 3)


def test_select_star_sku_from_item():
    query = parse("SELECT *, Sku FROM Item MAXRESULTS 100")
    assert query.entity == "Item" and not query.is_count


def test_count_star():
    query = parse("SELECT COUNT(*) FROM Customer WHERE Active = true")
    assert query.is_count
    assert q.count(query, CUSTOMERS) == 3


def test_escaped_quote_and_backslash():
    query = parse(r"SELECT * FROM Customer WHERE DisplayName = 'O\'Brien'")
    assert query.conditions[0].value == "O'Brien"
    assert ids(q.execute(query, CUSTOMERS)) == ["12"]
    query = parse(r"SELECT * FROM Customer WHERE DisplayName = 'a\\b'")
    assert query.conditions[0].value == "a\\b"


def test_literal_types():
    query = parse("SELECT * FROM Invoice WHERE TotalAmt >= -1.5 AND DocNumber = '7' "
                  "AND Id IN ('1', 2) AND Active = False")
    assert [c.value for c in query.conditions] == [-1.5, "7", ("1", 2), False]


def test_order_by_multiple_keys():
    query = parse("SELECT * FROM Customer ORDER BY Active DESC, DisplayName ASC, Id")
    assert query.order_by == [("Active", True), ("DisplayName", False), ("Id", False)]


def test_not_equal_is_accepted_and_missing_values_differ():
    """Issue 9: ``!=`` is accepted in WHERE (it was a parse error)."""
    assert set(ids(run("SELECT * FROM Customer WHERE DisplayName != 'O\\'Brien'", CUSTOMERS))) == \
        {r["Id"] for r in CUSTOMERS if r["DisplayName"] != "O'Brien"}
    assert "12" in ids(run("SELECT * FROM Customer WHERE CompanyName != 'Acme'", CUSTOMERS))
    assert fault_of("SELECT * FROM Customer WHERE Id != '3'").code == "4001"


def test_a_path_through_a_list_matches_any_element():
    rows = [{"Id": "1", "AttachableRef": [{"EntityRef": {"type": "Invoice", "value": "7"}},
                                          {"EntityRef": {"type": "Bill", "value": "9"}}]},
            {"Id": "2", "AttachableRef": [{"EntityRef": {"type": "Invoice", "value": "8"}}]},
            {"Id": "3", "Note": "no refs"}]
    assert ids(run("SELECT * FROM Invoice WHERE AttachableRef.EntityRef.Value = '9'", rows)) == ["1"]
    assert ids(run("SELECT * FROM Invoice WHERE AttachableRef.EntityRef.Type = 'Invoice'", rows)) == ["1", "2"]


# --- parse faults ------------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    "SELECT * FROM Customer WHERE Active = true OR Id = '1'",
    "SELECT * FROM Customer JOIN Invoice",
    "SELECT * FROM Customer c JOIN Invoice i",
    "SELECT * FROM Customer GROUP BY Active",
    "SELECT * FROM Customer WHERE NOT Active = true",
    "SELECT * FROM Customer WHERE Active NOT IN (true)",
    "SELECT * FROM Customer WHERE DisplayName <> 'x'",
    "SELECT * FROM Customer WHERE DisplayName == 'x'",
    "SELECT * FROM Customer WHERE DisplayName = 'unbalanced",
    "SELECT * FROM Customer WHERE DisplayName = unquoted",
    "SELECT * FROM Customer WHERE DisplayName = ",
    "SELECT * FROM Customer WHERE",
    "SELECT * FROM Customer WHERE Active = true AND",
    "SELECT * FROM Customer WHERE Id IN ()",
    "SELECT * FROM Customer WHERE Id IN ('1'",
    "SELECT * Customer",
    "SELECT * FROM",
    "SELECT FROM Customer",
    "DELETE FROM Customer",
    "",
    "SELECT * FROM Customer ORDER Id",
    "SELECT * FROM Customer ORDERBY",
    "SELECT * FROM Customer MAXRESULTS ten",
    "SELECT * FROM Customer MAXRESULTS 1.5",
    "SELECT * FROM Customer MAXRESULTS 10 MAXRESULTS 20",
    "SELECT * FROM Customer; SELECT * FROM Item",
    "SELECT * FROM Customer WHERE DisplayName = 'x' LIMIT 5",
    "SELECT * FROM Customer WHERE DisplayName = 'x' # comment",
])
def test_parse_errors_are_4000(sql):
    fault = fault_of(sql)
    assert fault.code == "4000"
    assert fault.message == "Error parsing query"
    assert fault.detail.startswith("QueryParserError: ")


def test_parse_error_says_where_and_why():
    fault = fault_of("SELECT * FROM Customer\nWHERE Active = true OR Id = '1'")
    assert 'OR is not supported' in fault.detail
    assert "line 2, column 21" in fault.detail


def test_unknown_entity():
    fault = fault_of("SELECT * FROM Fooo")
    assert fault.code == "4000"
    assert fault.detail == "QueryParserError: Invalid entity Fooo"


def test_maxresults_over_1000_is_4001_with_exact_text():
    fault = fault_of("SELECT * FROM Customer MAXRESULTS 1500")
    assert fault.code == "4001"
    assert fault.detail == ("QueryValidationError: value 1500 is too large. "
                            "Max allowed value is 1000")
    assert parse("SELECT * FROM Customer MAXRESULTS 1000").max_results == 1000


@pytest.mark.parametrize("sql", [
    "SELECT * FROM Customer MAXRESULTS 0",
    "SELECT * FROM Customer MAXRESULTS -5",
    "SELECT * FROM Customer STARTPOSITION 0",
    "SELECT * FROM Customer STARTPOSITION -1 MAXRESULTS 10",
    "SELECT * FROM Customer WHERE Id > '3'",
    "SELECT * FROM Customer WHERE id <= 3",
    "SELECT * FROM Customer WHERE ID LIKE '1%'",
])
def test_validation_errors_are_4001(sql):
    fault = fault_of(sql)
    assert fault.code == "4001"
    assert fault.detail.startswith("QueryValidationError: ")


# --- matching ------------------------------------------------------------------------

@pytest.mark.parametrize("where, expected", [
    ("Balance = 0", ["12"]),
    ("Balance = 85", ["2"]),
    ("Balance < 85", ["12"]),
    ("Balance <= 85", ["2", "12"]),
    ("Balance > 85", ["3", "25"]),
    ("Balance >= 239", ["3", "25"]),
    ("Balance > -1", ["2", "3", "12", "25"]),
    ("Balance = 1500.5", ["25"]),
    ("Balance < '100'", ["2", "12"]),
    ("DisplayName = 'cool cars'", ["25"]),
    ("DisplayName > 'b'", ["2", "12", "25"]),
    ("DisplayName < 'BILL'", ["3"]),
    ("DisplayName IN ('cool cars', 'O\\'Brien', 'nobody')", ["12", "25"]),
    ("Id = '12'", ["12"]),
    ("Id = 12", ["12"]),
    ("Id IN ('2', '3', '999')", ["2", "3"]),
    ("Id IN (25, '12')", ["12", "25"]),
])
def test_operators(where, expected):
    assert ids(run("SELECT * FROM Customer WHERE " + where, CUSTOMERS)) == expected


@pytest.mark.parametrize("pattern, expected", [
    ("%bird%", ["3"]),
    ("Amy%", ["3"]),
    ("amy%", ["3"]),
    ("%SHOP", ["2"]),
    ("%'%", ["2", "3", "12"]),
    ("cool cars", ["25"]),
    ("cool", []),
    ("%", ["2", "3", "12", "25"]),
    ("%o%r%", ["12", "25"]),
    ("B%l%p", ["2"]),
    ("Amy's Bird Sanctuary%", ["3"]),
    ("%.%", []),
])
def test_like(pattern, expected):
    sql = "SELECT * FROM Customer WHERE DisplayName LIKE '%s'" % pattern.replace("'", "\\'")
    assert ids(run(sql, CUSTOMERS)) == expected


def test_like_on_a_number_and_a_missing_field():
    assert ids(run("SELECT * FROM Customer WHERE Balance LIKE '15%'", CUSTOMERS)) == ["25"]
    assert run("SELECT * FROM Customer WHERE Notes LIKE '%'", CUSTOMERS) == []


def test_and_chain():
    sql = ("SELECT * FROM Customer WHERE Active = true AND Balance > 0 "
           "AND CurrencyRef = 'USD' AND DisplayName LIKE '%a%'")
    assert ids(run(sql, CUSTOMERS)) == ["3", "25"]
    sql += " AND PrimaryEmailAddr LIKE '%intuit%'"
    assert ids(run(sql, CUSTOMERS)) == ["3"]


def test_booleans():
    assert ids(run("SELECT * FROM Customer WHERE Active = true", CUSTOMERS)) == ["3", "12", "25"]
    assert ids(run("SELECT * FROM Customer WHERE Active = FALSE", CUSTOMERS)) == ["2"]
    assert ids(run("SELECT * FROM Customer WHERE Active = 'false'", CUSTOMERS)) == ["2"]
    assert ids(run("SELECT * FROM Customer WHERE Active IN (false)", CUSTOMERS)) == ["2"]


def test_case_insensitive_fields_and_values():
    # '' is not an escape in QBO: that is two adjacent strings.
    assert fault_of("SELECT * FROM Customer WHERE displayname = 'AMY''S'").code == "4000"
    rows = run(r"SELECT * FROM Customer WHERE displayname = 'AMY\'S BIRD SANCTUARY'", CUSTOMERS)
    assert ids(rows) == ["3"]
    rows = run("SELECT * FROM Customer WHERE metadata.lastupdatedtime > '2024-02-15' "
               "AND primaryemailaddr.address = 'birds@intuit.com' AND currencyref = 'usd'",
               CUSTOMERS)
    assert ids(rows) == ["3"]


def test_nested_paths():
    assert ids(run("SELECT * FROM Customer WHERE BillAddr.City = 'dublin'", CUSTOMERS)) == ["12"]
    assert ids(run("SELECT * FROM Customer WHERE BillAddr.PostalCode > 90000",
                   CUSTOMERS)) == ["3"]
    assert run("SELECT * FROM Customer WHERE BillAddr.City.Deeper = 'x'", CUSTOMERS) == []
    assert run("SELECT * FROM Customer WHERE BillAddr = 'Dublin'", CUSTOMERS) == []


def test_reference_dicts_compare_by_value():
    assert ids(run("SELECT * FROM Invoice WHERE CustomerRef = '3'", INVOICES)) == ["129", "130"]
    assert ids(run("SELECT * FROM Invoice WHERE CustomerRef = 12", INVOICES)) == ["131"]
    assert ids(run("SELECT * FROM Invoice WHERE CustomerRef IN ('12', '99')", INVOICES)) == ["131"]
    assert ids(run("SELECT * FROM Invoice WHERE CustomerRef.name LIKE 'o%'", INVOICES)) == ["131"]
    assert ids(run("SELECT * FROM Customer WHERE CurrencyRef = 'EUR'", CUSTOMERS)) == ["12"]


def test_email_dict_compares_by_address():
    rows = run("SELECT * FROM Customer WHERE PrimaryEmailAddr = 'cool@cars.example'", CUSTOMERS)
    assert ids(rows) == ["25"]


def test_missing_field_never_matches():
    for op in ("=", "<", ">", "<=", ">="):
        assert run("SELECT * FROM Customer WHERE Notes %s 'a'" % op, CUSTOMERS) == []
    assert run("SELECT * FROM Customer WHERE Notes IN ('a', 'b')", CUSTOMERS) == []


def test_space_literal_means_null_or_empty():
    rows = run("SELECT * FROM Customer WHERE CompanyName = ' '", CUSTOMERS)
    assert ids(rows) == ["3", "12", "25"]   # missing on 3 and 25, empty on 12
    rows = run("SELECT * FROM Customer WHERE PrimaryEmailAddr = ' '", CUSTOMERS)
    assert ids(rows) == ["2", "12"]
    rows = run("SELECT * FROM Customer WHERE CompanyName IN (' ', 'nobody')", CUSTOMERS)
    assert ids(rows) == ["3", "12", "25"]


def test_datetimes_compare_as_instants_across_offsets():
    # Customer 2 was last updated 2023-12-31T23:30:00.5-08:00 = 2024-01-01T07:30:00.5Z.
    sql = "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '%s'"
    assert ids(run(sql % "2024-01-01T00:00:00-08:00", CUSTOMERS)) == ["3", "12", "25"]
    assert ids(run(sql % "2023-12-31T23:00:00-08:00", CUSTOMERS)) == ["2", "3", "12", "25"]
    assert ids(run(sql % "2024-01-01T07:30:00.500Z", CUSTOMERS)) == ["3", "12", "25"]
    assert ids(run(sql % "2024-01-01T07:29:59.999Z", CUSTOMERS)) == ["2", "3", "12", "25"]
    assert ids(run(sql % "2024-01-01T16:30:01+09:00", CUSTOMERS)) == ["3", "12", "25"]
    sql = "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime = '%s'"
    assert ids(run(sql % "2024-01-02T01:00:00-08:00", CUSTOMERS)) == ["12"]
    sql = "SELECT * FROM Customer WHERE MetaData.CreateTime <= '2023-06-01T16:00:00.110Z'"
    assert ids(run(sql, CUSTOMERS)) == ["2"]


def test_dates_use_company_time_zone():
    # A bare date is midnight in the company's zone.
    sql = "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '2024-01-01'"
    assert ids(run(sql, CUSTOMERS, tz=0)) == ["2", "3", "12", "25"]
    assert ids(run(sql, CUSTOMERS, tz=-8 * 60)) == ["3", "12", "25"]
    assert ids(run(sql, CUSTOMERS, tz=-7 * 60)) == ["2", "3", "12", "25"]


def test_txn_dates():
    assert ids(run("SELECT * FROM Invoice WHERE TxnDate >= '2024-01-01'", INVOICES)) == ["129", "130"]
    assert ids(run("SELECT * FROM Invoice WHERE TxnDate = '2023-12-31'", INVOICES)) == ["131"]
    assert ids(run("SELECT * FROM Invoice WHERE TxnDate >= '2024-01-01' "
                   "AND TxnDate < '2024-02-01'", INVOICES)) == ["130"]
    assert ids(run("SELECT * FROM Invoice WHERE TxnDate < '2024-01-01T12:00:00'",
                   INVOICES)) == ["130", "131"]


def test_select_star_sku_executes():
    items = [{"Id": "1", "Name": "Hours", "Sku": "H-1"}, {"Id": "2", "Name": "Rocks"}]
    assert ids(run("SELECT *, Sku FROM Item", items)) == ["1", "2"]
    assert ids(run("SELECT *, Sku FROM Item WHERE Sku = 'h-1'", items)) == ["1"]


# --- ordering --------------------------------------------------------------------------

def test_default_order_is_numeric_id():
    assert ids(run("SELECT * FROM Customer", CUSTOMERS)) == ["2", "3", "12", "25"]


def test_order_by_and_orderby_spellings():
    for spelling in ("ORDER BY", "ORDERBY", "order  by", "OrderBy"):
        rows = run("SELECT * FROM Customer %s DisplayName" % spelling, CUSTOMERS)
        assert ids(rows) == ["3", "2", "25", "12"]


def test_order_asc_desc():
    assert ids(run("SELECT * FROM Customer ORDER BY Id DESC", CUSTOMERS)) == ["25", "12", "3", "2"]
    assert ids(run("SELECT * FROM Customer ORDER BY Id ASC", CUSTOMERS)) == ["2", "3", "12", "25"]
    assert ids(run("SELECT * FROM Customer ORDER BY Balance DESC", CUSTOMERS)) == ["25", "3", "2", "12"]
    assert ids(run("SELECT * FROM Invoice ORDERBY TxnDate", INVOICES)) == ["131", "130", "129"]
    assert ids(run("SELECT * FROM Invoice ORDERBY TotalAmt", INVOICES)) == ["129", "131", "130"]


def test_order_by_multiple_keys_and_missing_first():
    rows = [
        {"Id": "1", "Group": "b", "Name": "x"},
        {"Id": "2", "Group": "a", "Name": "y"},
        {"Id": "3", "Group": "b", "Name": "a"},
        {"Id": "4", "Name": "z"},
        {"Id": "5", "Group": "a", "Name": "b"},
    ]
    assert ids(run("SELECT * FROM Account ORDER BY Group, Name", rows)) == ["4", "5", "2", "3", "1"]
    assert ids(run("SELECT * FROM Account ORDER BY Group DESC, Name", rows)) == ["3", "1", "5", "2", "4"]
    assert ids(run("SELECT * FROM Account ORDER BY Group ASC, Name DESC", rows)) == ["4", "2", "5", "1", "3"]
    # ties keep the default Id order
    assert ids(run("SELECT * FROM Account ORDER BY Group", rows)) == ["4", "2", "5", "1", "3"]


def test_order_by_nested_and_case_insensitive_field():
    rows = run("SELECT * FROM Customer ORDER BY metadata.createtime DESC", CUSTOMERS)
    assert ids(rows) == ["25", "12", "3", "2"]
    rows = run("SELECT * FROM Customer ORDERBY currencyref, id desc", CUSTOMERS)
    assert ids(rows) == ["12", "25", "3", "2"]


# --- paging ----------------------------------------------------------------------------

MANY = [{"Id": str(n), "DisplayName": "Customer %05d" % n, "Active": n % 3 != 0}
        for n in range(2500, 0, -1)]


def test_pages_of_1000_cover_every_row_once():
    seen = []
    start = 1
    while True:
        page = run("SELECT * FROM Customer ORDER BY Id STARTPOSITION %d MAXRESULTS 1000" % start, MANY)
        if not page:
            break
        seen.extend(ids(page))
        start += len(page)
    assert [len(seen[i:i + 1000]) for i in range(0, 2500, 1000)] == [1000, 1000, 500]
    assert seen == [str(n) for n in range(1, 2501)]


def test_paging_with_filter_and_count():
    query = parse("SELECT * FROM Customer WHERE Active = true STARTPOSITION 1601 MAXRESULTS 1000")
    assert q.count(query, MANY) == 1667
    page = q.execute(query, MANY)
    assert len(page) == 67
    assert all(r["Active"] for r in page)
    assert page[-1]["Id"] == "2500"


def test_default_page_is_100():
    page = run("SELECT * FROM Customer", MANY)
    assert ids(page) == [str(n) for n in range(1, 101)]
    page = run("SELECT * FROM Customer STARTPOSITION 101", MANY)
    assert ids(page) == [str(n) for n in range(101, 201)]


def test_start_past_the_end_is_empty():
    assert run("SELECT * FROM Customer STARTPOSITION 5000", MANY) == []
    assert q.count(parse("SELECT COUNT(*) FROM Customer STARTPOSITION 5000"), MANY) == 2500


def test_count_ignores_paging():
    query = parse("SELECT COUNT(*) FROM Customer WHERE DisplayName LIKE '%1%' MAXRESULTS 1")
    expected = sum(1 for r in MANY if "1" in r["DisplayName"])
    assert q.count(query, MANY) == expected
    assert q.count(parse("SELECT COUNT(*) FROM Customer"), MANY) == 2500


def test_execute_does_not_reorder_the_input():
    rows = list(CUSTOMERS)
    run("SELECT * FROM Customer ORDER BY DisplayName", rows)
    assert rows == CUSTOMERS


def test_equality_filter_over_10000_rows():
    rows = [{"Id": str(n), "DisplayName": "Customer %d" % n, "Active": True,
             "MetaData": {"LastUpdatedTime": "2024-01-01T00:00:00-08:00"}}
            for n in range(10000)]
    query = parse("SELECT * FROM Customer WHERE DisplayName = 'customer 5000'")
    assert ids(q.execute(query, rows)) == ["5000"]
    assert q.count(query, rows) == 1


def test_field_spelling_may_differ_between_rows():
    rows = [{"Id": "1", "displayName": "A"}, {"Id": "2", "DisplayName": "a"},
            {"Id": "3", "DISPLAYNAME": "b"}]
    assert ids(run("SELECT * FROM Customer WHERE DisplayNAME = 'a'", rows)) == ["1", "2"]
    assert ids(run("SELECT * FROM Customer ORDER BY displayname DESC", rows)) == ["3", "1", "2"]


def test_query_matches_single_row():
    query = parse("SELECT * FROM Customer WHERE Active = true AND Balance > 100")
    assert [query.matches(r) for r in CUSTOMERS] == [True, False, False, True]
