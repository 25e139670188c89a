"""UK sandbox company: VAT, GBP home currency, multicurrency on, books closed to 2023.

Pure data in QBO Accounting API v3 JSON shape. References are symbolic:
``{"@ref": "<Entity>:<Name | DisplayName | DocNumber>"}``; the loader creates
the records of ``RECORDS`` in order and replaces each reference with
``{"value": Id, "name": ...}`` (a ``LinkedTxn`` ``TxnId`` with the Id string).
Ids, SyncTokens, MetaData, totals and balances are left to the emulator;
only Payment and BillPayment state their ``TotalAmt``, as the API asks.

As in QBO UK, every VAT code has its own sales and purchase rates, and every
line of a sales or purchase form carries a real TaxCode.
"""

from .history import trading

REALM_ID = "9341452727711002"
UTC_OFFSET_MINUTES = 0  # Europe/London, GMT


def _ref(entity, name):
    return {"@ref": "%s:%s" % (entity, name)}


def _addr(line1, city, postal, country="GB", county=None, line2=None):
    addr = {"Line1": line1}
    if line2:
        addr["Line2"] = line2
    addr["City"] = city
    if county:
        addr["CountrySubDivisionCode"] = county
    addr["PostalCode"] = postal
    addr["Country"] = country
    return addr


_COMPANY_ADDR = _addr("12 Kensington High Street", "London", "W8 4PT", county="Greater London")

_GBP = {"value": "GBP", "name": "British Pound Sterling"}
_EUR = {"value": "EUR", "name": "Euro"}
_USD = {"value": "USD", "name": "United States Dollar"}

COMPANY_INFO = {
    "CompanyName": "Kensington Garden Designs Ltd",
    "LegalName": "Kensington Garden Designs Limited",
    "CompanyAddr": dict(_COMPANY_ADDR),
    "LegalAddr": dict(_COMPANY_ADDR),
    "CustomerCommunicationAddr": dict(_COMPANY_ADDR),
    "PrimaryPhone": {"FreeFormNumber": "020 7946 0321"},
    "CompanyStartDate": "2023-01-01",
    "FiscalYearStartMonth": "January",
    "Country": "GB",
    "Email": {"Address": "accounts@kensingtongardens.example.co.uk"},
    "CustomerCommunicationEmailAddr": {"Address": "hello@kensingtongardens.example.co.uk"},
    "WebAddr": {"URI": "https://www.kensingtongardens.example.co.uk"},
    "SupportedLanguages": "en",
    "DefaultTimeZone": "Europe/London",
    "NameValue": [
        {"Name": "NeoEnabled", "Value": "true"},
        {"Name": "IndustryType", "Value": "Landscape and garden design"},
        {"Name": "IndustryCode", "Value": "81300"},
        {"Name": "CompanyType", "Value": "Limited company"},
        {"Name": "SubscriptionStatus", "Value": "SUBSCRIBED"},
        {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
        {"Name": "PayrollFeature", "Value": "false"},
        {"Name": "AccountantFeature", "Value": "false"},
        {"Name": "IsQbdtMigrated", "Value": "false"},
        {"Name": "ItemCategoriesFeature", "Value": "true"},
        {"Name": "VATRegistrationNumber", "Value": "GB123456789"},
        {"Name": "AssignedTime", "Value": "2023-01-01T09:00:00Z"},
    ],
}

# --------------------------------------------------------------- accounts
# (Name, AccountType, AccountSubType, AcctNum, parent Name or None, currency or None)
_ACCOUNTS = [
    # Assets
    ("Current", "Bank", "Checking", "1200", None, None),
    ("Business Savings", "Bank", "Savings", "1210", None, None),
    ("Petty Cash", "Bank", "CashOnHand", "1230", None, None),
    ("EUR Bank", "Bank", "Checking", "1240", None, "EUR"),
    ("USD Bank", "Bank", "Checking", "1250", None, "USD"),
    ("Trade Debtors", "Accounts Receivable", "AccountsReceivable", "1100", None, None),
    ("Debtors EUR", "Accounts Receivable", "AccountsReceivable", "1101", None, "EUR"),
    ("Debtors USD", "Accounts Receivable", "AccountsReceivable", "1102", None, "USD"),
    ("Stock", "Other Current Asset", "Inventory", "1001", None, None),
    ("Prepayments", "Other Current Asset", "PrepaidExpenses", "1103", None, None),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds", "1104", None, None),
    ("Uncategorised Asset", "Other Current Asset", "OtherCurrentAssets", "1105", None, None),
    ("Plant and Machinery", "Fixed Asset", "MachineryAndEquipment", "0020", None, None),
    ("Plant and Machinery Depreciation", "Fixed Asset", "AccumulatedDepreciation", "0021",
     "Plant and Machinery", None),
    ("Motor Vehicles", "Fixed Asset", "Vehicles", "0050", None, None),
    ("Motor Vehicles Depreciation", "Fixed Asset", "AccumulatedDepreciation", "0051",
     "Motor Vehicles", None),
    ("Office Equipment", "Fixed Asset", "FurnitureAndFixtures", "0030", None, None),
    # Liabilities
    ("Trade Creditors", "Accounts Payable", "AccountsPayable", "2100", None, None),
    ("Creditors EUR", "Accounts Payable", "AccountsPayable", "2101", None, "EUR"),
    ("Company Credit Card", "Credit Card", "CreditCard", "2110", None, None),
    ("VAT Control", "Other Current Liability", "GlobalTaxPayable", "2202", None, None),
    ("VAT Suspense", "Other Current Liability", "GlobalTaxSuspense", "2203", None, None),
    ("PAYE and NI Payable", "Other Current Liability", "PayrollTaxPayable", "2210", None, None),
    ("Accruals", "Other Current Liability", "OtherCurrentLiabilities", "2109", None, None),
    ("Corporation Tax", "Other Current Liability", "OtherCurrentLiabilities", "2220", None, None),
    ("Directors Loan Account", "Other Current Liability", "LoanPayable", "2300", None, None),
    ("Bank Loan", "Long Term Liability", "NotesPayable", "2310", None, None),
    # Equity
    ("Share Capital", "Equity", "CommonStock", "3000", None, None),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity", "3100", None, None),
    ("Retained Earnings", "Equity", "RetainedEarnings", "3200", None, None),
    # Income
    ("Sales", "Income", "SalesOfProductIncome", "4000", None, None),
    ("Design Fees", "Income", "ServiceFeeIncome", "4010", None, None),
    ("Landscaping Services", "Income", "ServiceFeeIncome", "4020", None, None),
    ("Maintenance Contracts", "Income", "ServiceFeeIncome", "4030", None, None),
    ("Discounts Given", "Income", "DiscountsRefundsGiven", "4009", None, None),
    ("Uncategorised Income", "Income", "ServiceFeeIncome", "4999", None, None),
    # Cost of sales
    ("Cost of Sales", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5000", None, None),
    ("Materials Purchased", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5001", None, None),
    ("Subcontractors", "Cost of Goods Sold", "CostOfLaborCos", "5002", None, None),
    ("Plant Hire", "Cost of Goods Sold", "EquipmentRentalCos", "5003", None, None),
    # Expenses
    ("Advertising and Marketing", "Expense", "AdvertisingPromotional", "6201", None, None),
    ("Wages and Salaries", "Expense", "PayrollExpenses", "7000", None, None),
    ("Rent and Rates", "Expense", "RentOrLeaseOfBuildings", "7100", None, None),
    ("Insurance", "Expense", "Insurance", "7104", None, None),
    ("Light, Heat and Power", "Expense", "Utilities", "7200", None, None),
    ("Motor Expenses", "Expense", "Auto", "7300", None, None),
    ("Travel and Subsistence", "Expense", "Travel", "7400", None, None),
    ("Office Stationery", "Expense", "OfficeGeneralAdministrativeExpenses", "7500", None, None),
    ("Telephone and Internet", "Expense", "Utilities", "7502", None, None),
    ("Accountancy Fees", "Expense", "LegalProfessionalFees", "7600", None, None),
    ("Legal Fees", "Expense", "LegalProfessionalFees", "7601", None, None),
    ("Repairs and Maintenance", "Expense", "RepairMaintenance", "7800", None, None),
    ("Bank Charges", "Expense", "BankCharges", "7900", None, None),
    ("Subscriptions", "Expense", "DuesSubscriptions", "8201", None, None),
    ("Uncategorised Expense", "Expense", "OtherMiscellaneousServiceCost", "8999", None, None),
    # Other income and expense
    ("Bank Interest Received", "Other Income", "InterestEarned", "4900", None, None),
    ("Depreciation", "Other Expense", "Depreciation", "8000", None, None),
    ("Exchange Gain or Loss", "Other Expense", "ExchangeGainOrLoss", "8100", None, None),
    ("Bank Loan Interest", "Other Expense", "OtherMiscellaneousExpense", "7903", None, None),
]


def _account(name, type_, subtype, num, parent=None, currency=None):
    account = {"Name": name, "AccountType": type_, "AccountSubType": subtype, "AcctNum": num,
               "Active": True}
    if parent:
        account["ParentRef"] = _ref("Account", parent)
        account["SubAccount"] = True
    if currency:
        account["CurrencyRef"] = {"EUR": _EUR, "USD": _USD}[currency]
    return ("Account", account)


def _account_id(name):
    """The Id the emulator gives an account: accounts are created first, in order, from 1."""
    return str([row[0] for row in _ACCOUNTS].index(name) + 1)


# ------------------------------------------------------------ preferences
PREFERENCES = {
    "AccountingInfoPrefs": {
        "TrackDepartments": True,
        "DepartmentTerminology": "Location",
        "ClassTrackingPerTxn": False,
        "ClassTrackingPerTxnLine": True,
        "CustomerTerminology": "Customers",
        "FirstMonthOfFiscalYear": "January",
        "TaxYearMonth": "January",
        "UseAccountNumbers": True,
        "BookCloseDate": "2023-12-31",
    },
    "ProductAndServicesPrefs": {
        "ForSales": True,
        "ForPurchase": True,
        "QuantityWithPriceAndRate": True,
        "QuantityOnHand": True,
        "RevenueRecognitionEnabled": False,
        "RevenueRecognitionFrequency": "Monthly",
    },
    "SalesFormsPrefs": {
        "CustomTxnNumbers": True,
        "AllowDeposit": True,
        "AllowDiscount": True,
        "DefaultDiscountAccount": _account_id("Discounts Given"),
        "AllowEstimates": True,
        "AllowShipping": False,
        "AllowServiceDate": True,
        "AutoApplyCredit": True,
        "AutoApplyPayments": True,
        "ETransactionEnabledStatus": "NotApplicable",
        "ETransactionPaymentEnabled": False,
        "ETransactionAttachPDF": False,
        "EmailCopyToCompany": False,
        "IPNSupportEnabled": False,
        "PrintItemWithZeroAmount": False,
        "UsingPriceLevels": False,
        "UsingProgressInvoicing": False,
        "DefaultCustomerMessage": "Thank you for your business.",
        "CustomField": [
            {"CustomField": [
                {"Name": "SalesFormsPrefs.UseSalesCustom1", "Type": "BooleanType", "BooleanValue": True},
                {"Name": "SalesFormsPrefs.UseSalesCustom2", "Type": "BooleanType", "BooleanValue": True},
                {"Name": "SalesFormsPrefs.UseSalesCustom3", "Type": "BooleanType", "BooleanValue": False},
            ]},
            {"CustomField": [
                {"Name": "SalesFormsPrefs.SalesCustomName1", "Type": "StringType", "StringValue": "Site ref"},
                {"Name": "SalesFormsPrefs.SalesCustomName2", "Type": "StringType", "StringValue": "Customer PO"},
            ]},
        ],
    },
    "EmailMessagesPrefs": {
        "InvoiceMessage": {
            "Subject": "Invoice [Invoice No.] from Kensington Garden Designs Ltd",
            "Message": "Please find your invoice attached. Payment is due by the date shown.\n"
                       "Thank you for your business.",
        },
        "EstimateMessage": {
            "Subject": "Quote [Estimate No.] from Kensington Garden Designs Ltd",
            "Message": "Please find our quote attached. Do get in touch with any questions.",
        },
        "SalesReceiptMessage": {
            "Subject": "Sales Receipt [Sales Receipt No.] from Kensington Garden Designs Ltd",
            "Message": "Your sales receipt is attached.\nThank you for your business.",
        },
        "StatementMessage": {
            "Subject": "Statement from Kensington Garden Designs Ltd",
            "Message": "Your statement is attached.",
        },
    },
    "VendorAndPurchasesPrefs": {
        "TrackingByCustomer": True,
        "BillableExpenseTracking": True,
        "DefaultMarkup": 0,
        "POCustomField": [
            {"CustomField": [
                {"Name": "PurchasePrefs.UsePurchaseCustom1", "Type": "BooleanType", "BooleanValue": True},
                {"Name": "PurchasePrefs.UsePurchaseCustom2", "Type": "BooleanType", "BooleanValue": False},
                {"Name": "PurchasePrefs.UsePurchaseCustom3", "Type": "BooleanType", "BooleanValue": False},
            ]},
            {"CustomField": [
                {"Name": "PurchasePrefs.PurchaseCustomName1", "Type": "StringType", "StringValue": "Site ref"},
            ]},
        ],
    },
    "TimeTrackingPrefs": {
        "UseServices": True,
        "BillCustomers": True,
        "ShowBillRateToAll": False,
        "WorkWeekStartDate": "Monday",
        "MarkTimeEntriesBillable": True,
    },
    "TaxPrefs": {
        "UsingSalesTax": True,
        "PartnerTaxEnabled": False,
    },
    "CurrencyPrefs": {
        "MultiCurrencyEnabled": True,
        "HomeCurrency": {"value": "GBP"},
    },
    "ReportPrefs": {
        "ReportBasis": "Accrual",
        "CalcAgingReportFromTxnDate": False,
    },
    "OtherPrefs": {
        "NameValue": [
            {"Name": "SalesFormsPrefs.DefaultCustomerMessage", "Value": "Thank you for your business."},
            {"Name": "DTXCopyMemo", "Value": "false"},
            {"Name": "UncategorizedAssetAccountId", "Value": _account_id("Uncategorised Asset")},
            {"Name": "UncategorizedIncomeAccountId", "Value": _account_id("Uncategorised Income")},
            {"Name": "UncategorizedExpenseAccountId", "Value": _account_id("Uncategorised Expense")},
            {"Name": "SFCEnabled", "Value": "true"},
            {"Name": "DataPartner", "Value": "false"},
            {"Name": "Vendor1099Enabled", "Value": "false"},
            {"Name": "TimeTrackingFeatureEnabled", "Value": "true"},
            {"Name": "FDPEnabled", "Value": "false"},
            {"Name": "ProjectsEnabled", "Value": "false"},
            {"Name": "DateFormat", "Value": "Date Month Year separated by a slash"},
            {"Name": "DateFormatMnemonic", "Value": "DDMMYYYY_SEP_SLASH"},
            {"Name": "NumberFormat", "Value": "UK Number Format"},
            {"Name": "NumberFormatMnemonic", "Value": "UK_NB"},
            {"Name": "WarnDuplicateCheckNumber", "Value": "true"},
            {"Name": "WarnDuplicateBillNumber", "Value": "false"},
            {"Name": "WarnDuplicateJournalNumber", "Value": "false"},
            {"Name": "WarnDuplicateDocNumber", "Value": "true"},
        ],
    },
}

CURRENCIES = [
    {"Code": "EUR", "Name": "Euro", "Active": True},
    {"Code": "USD", "Name": "United States Dollar", "Active": True},
]

EXCHANGE_RATES = [
    {"SourceCurrencyCode": "EUR", "TargetCurrencyCode": "GBP", "Rate": 0.86, "AsOfDate": "2026-01-01"},
    {"SourceCurrencyCode": "USD", "TargetCurrencyCode": "GBP", "Rate": 0.79, "AsOfDate": "2026-01-01"},
    {"SourceCurrencyCode": "EUR", "TargetCurrencyCode": "GBP", "Rate": 0.87, "AsOfDate": "2026-04-01"},
    {"SourceCurrencyCode": "USD", "TargetCurrencyCode": "GBP", "Rate": 0.78, "AsOfDate": "2026-04-01"},
]

# ------------------------------------------------------------ list records
_TERMS = [
    ("Term", {"Name": "Due on receipt", "Active": True, "Type": "STANDARD", "DueDays": 0}),
    ("Term", {"Name": "Net 14", "Active": True, "Type": "STANDARD", "DueDays": 14}),
    ("Term", {"Name": "Net 30", "Active": True, "Type": "STANDARD", "DueDays": 30}),
    ("Term", {"Name": "Net 60", "Active": True, "Type": "STANDARD", "DueDays": 60}),
    ("Term", {"Name": "2% 7 Net 30", "Active": True, "Type": "STANDARD", "DueDays": 30,
              "DiscountPercent": 2, "DiscountDays": 7}),
]

_PAYMENT_METHODS = [
    ("PaymentMethod", {"Name": name, "Active": True, "Type": type_}) for name, type_ in [
        ("Cash", "NON_CREDIT_CARD"),
        ("Cheque", "NON_CREDIT_CARD"),
        ("BACS", "NON_CREDIT_CARD"),
        ("Direct Debit", "NON_CREDIT_CARD"),
        ("Visa", "CREDIT_CARD"),
        ("Mastercard", "CREDIT_CARD"),
        ("American Express", "CREDIT_CARD"),
    ]
]

_CLASSES = [
    ("Class", {"Name": "Residential", "SubClass": False, "Active": True}),
    ("Class", {"Name": "Commercial", "SubClass": False, "Active": True}),
]

_DEPARTMENTS = [
    ("Department", {"Name": "North London", "SubDepartment": False, "Active": True}),
    ("Department", {"Name": "South London", "SubDepartment": False, "Active": True}),
]

# ---------------------------------------------------------------------- VAT
_TAX_AGENCIES = [
    ("TaxAgency", {"DisplayName": "HM Revenue & Customs", "Name": "HM Revenue & Customs",
                   "TaxRegistrationNumber": "GB123456789",
                   "TaxTrackedOnSales": True, "TaxTrackedOnPurchases": True}),
]


def _tax_rate(name, value, description):
    return ("TaxRate", {
        "Name": name, "Description": description, "Active": True, "RateValue": value,
        "AgencyRef": _ref("TaxAgency", "HM Revenue & Customs"), "SpecialTaxType": "NONE",
        "DisplayType": "ReadOnly",
        "EffectiveTaxRate": [{"RateValue": value, "EffectiveDate": "2011-01-04T00:00:00Z"}],
    })


# (code, rate value, description); each code gets a "(Sales)" and a "(Purchases)" rate.
_VAT = [
    ("20.0% S", 20, "Standard rated"),
    ("5.0% R", 5, "Reduced rate"),
    ("0.0% Z", 0, "Zero rated"),
    ("Exempt", 0, "Exempt from VAT"),
    ("No VAT", 0, "Outside the scope of VAT"),
]

_TAX_RATES = [
    _tax_rate("%s (%s)" % (code, side), value, "%s %s" % (description, side.lower()))
    for code, value, description in _VAT for side in ("Sales", "Purchases")
]


def _detail(rate):
    return {"TaxRateDetail": [{"TaxRateRef": _ref("TaxRate", rate), "TaxTypeApplicable": "TaxOnAmount",
                               "TaxOrder": 0}]}


_TAX_CODES = [
    ("TaxCode", {
        "Name": code, "Description": description, "Active": True, "Hidden": False,
        "Taxable": True, "TaxGroup": False,
        "SalesTaxRateList": _detail("%s (Sales)" % code),
        "PurchaseTaxRateList": _detail("%s (Purchases)" % code),
    })
    for code, value, description in _VAT
]

# ---------------------------------------------------------------- customers


def _customer(display, company=None, given=None, family=None, email=None, phone=None, bill=None,
              currency=None, **extra):
    customer = {"DisplayName": display, "PrintOnCheckName": company or display, "Active": True,
                "Taxable": True, "CurrencyRef": currency or _GBP}
    if given:
        customer["GivenName"] = given
    if family:
        customer["FamilyName"] = family
    if company:
        customer["CompanyName"] = company
    if email:
        customer["PrimaryEmailAddr"] = {"Address": email}
    if phone:
        customer["PrimaryPhone"] = {"FreeFormNumber": phone}
    if bill:
        customer["BillAddr"] = bill
        customer["ShipAddr"] = dict(bill)
    customer["PreferredDeliveryMethod"] = "Email" if email else "Print"
    customer.update(extra)
    return ("Customer", customer)


_CUSTOMERS = [
    _customer("Chelsea Flower Cafe", "Chelsea Flower Cafe Ltd", "Grace", "Pemberton",
              "grace@chelseaflowercafe.example.co.uk", "020 7946 0412",
              _addr("48 King's Road", "London", "SW3 4ND"), SalesTermRef=_ref("Term", "Net 30")),
    _customer("Hampstead Nursery School", "Hampstead Nursery School", "Eleanor", "Marsh",
              "office@hampsteadnursery.example.co.uk", "020 7946 0588",
              _addr("7 Heath Street", "London", "NW3 6TP"), SalesTermRef=_ref("Term", "Net 30")),
    _customer("Notting Hill Residents Association", "Notting Hill Residents Association", "Samuel",
              "Okafor", "treasurer@nhra.example.org.uk", "020 7946 0733",
              _addr("22 Ladbroke Grove", "London", "W11 3BQ"), SalesTermRef=_ref("Term", "Net 14")),
    _customer("Greenwich Property Management", "Greenwich Property Management Ltd", "Priya", "Shah",
              "accounts@greenwichpm.example.co.uk", "020 8946 0190",
              _addr("3 Nelson Road", "London", "SE10 9JB"), SalesTermRef=_ref("Term", "Net 60"),
              Notes="Manages six residential blocks; quarterly maintenance contract."),
    _customer("Oliver Bennett", None, "Oliver", "Bennett", "oliver.bennett@example.co.uk", "07700 900123",
              _addr("15 Elm Park Gardens", "London", "SW10 9QG"), SalesTermRef=_ref("Term", "Due on receipt")),
    _customer("Charlotte Hughes", None, "Charlotte", "Hughes", "charlotte.hughes@example.co.uk",
              "07700 900456", _addr("9 Church Road", "Richmond", "TW9 1UA", county="Surrey")),
    _customer("Richmond Riverside Hotel", "Richmond Riverside Hotel Ltd", "Marcus", "Hale",
              "facilities@richmondriverside.example.co.uk", "020 8946 0277",
              _addr("1 Petersham Road", "Richmond", "TW10 6UX", county="Surrey"),
              SalesTermRef=_ref("Term", "Net 30")),
    _customer("Camden Community Garden", "Camden Community Garden CIC", "Ruth", "Adeyemi",
              "hello@camdengarden.example.org.uk", "020 7946 0850",
              _addr("60 Pratt Street", "London", "NW1 0DL"), Taxable=False),
    _customer("Putney Rowing Club", "Putney Rowing Club", "Hugo", "Fairfax", "secretary@putneyrc.example.co.uk",
              "020 8946 0355", _addr("2 The Embankment", "London", "SW15 1LB")),
    _customer("Islington Design Studio", "Islington Design Studio Ltd", "Tom", "Reeves",
              "tom@islingtondesign.example.co.uk", "020 7946 0964",
              _addr("101 Upper Street", "London", "N1 1QN"), SalesTermRef=_ref("Term", "2% 7 Net 30")),
    _customer("Harriet Wilson", None, "Harriet", "Wilson", "harriet.wilson@example.co.uk", "07700 900789",
              _addr("4 Lavender Hill", "London", "SW11 5RW")),
    _customer("Fulham Family Dental", "Fulham Family Dental Practice", "Anil", "Mehta",
              "practice@fulhamdental.example.co.uk", "020 7946 0611",
              _addr("230 Fulham Road", "London", "SW10 9NB"), SalesTermRef=_ref("Term", "Net 30")),
    _customer("Jardins de Lyon", "Jardins de Lyon SARL", "Camille", "Moreau", "compta@jardinsdelyon.example.fr",
              "+33 4 72 00 00 00", _addr("14 Rue de la République", "Lyon", "69002", "FR"),
              currency=_EUR, SalesTermRef=_ref("Term", "Net 30")),
    _customer("Dublin Green Spaces", "Dublin Green Spaces Ltd", "Aoife", "Byrne",
              "accounts@dublingreenspaces.example.ie", "+353 1 555 0100",
              _addr("8 Merrion Square", "Dublin", "D02 XY12", "IE"), currency=_EUR,
              SalesTermRef=_ref("Term", "Net 30")),
    _customer("Hudson Valley Estates", "Hudson Valley Estates LLC", "Robert", "Keane",
              "rkeane@hudsonvalleyestates.example.com", "+1 845 555 0142",
              _addr("500 River Road", "Rhinebeck", "12572", "US"), currency=_USD,
              SalesTermRef=_ref("Term", "Net 30")),
]

# ------------------------------------------------------------------ vendors


def _vendor(display, company=None, given=None, family=None, email=None, phone=None, bill=None,
            currency=None, **extra):
    vendor = {"DisplayName": display, "PrintOnCheckName": company or display, "Active": True,
              "CurrencyRef": currency or _GBP}
    if given:
        vendor["GivenName"] = given
    if family:
        vendor["FamilyName"] = family
    if company:
        vendor["CompanyName"] = company
    if email:
        vendor["PrimaryEmailAddr"] = {"Address": email}
    if phone:
        vendor["PrimaryPhone"] = {"FreeFormNumber": phone}
    if bill:
        vendor["BillAddr"] = bill
    vendor.update(extra)
    return ("Vendor", vendor)


_VENDORS = [
    _vendor("Capital Energy", "Capital Energy Ltd", email="business@capitalenergy.example.co.uk",
            phone="0800 046 0101", bill=_addr("1 Power Lane", "Reading", "RG1 1AA", county="Berkshire"),
            AcctNum="CE-884213", TermRef=_ref("Term", "Net 14")),
    _vendor("Thames Valley Water", "Thames Valley Water plc", phone="0800 046 0202",
            bill=_addr("Clearwater Court", "Reading", "RG1 8DB", county="Berkshire"), AcctNum="TVW-55120"),
    _vendor("Greenline Builders Merchants", "Greenline Builders Merchants Ltd", "Gary", "Holt",
            "trade@greenline.example.co.uk", "020 8946 0441",
            _addr("Unit 4, Wandle Way", "London", "SW18 4TG"), AcctNum="GBM-1177",
            TermRef=_ref("Term", "Net 30"), TaxIdentifier="GB987654321"),
    _vendor("Kew Trade Nursery", "Kew Trade Nursery Ltd", "Imogen", "Price", "orders@kewtrade.example.co.uk",
            "020 8946 0992", _addr("Mortlake Road", "Richmond", "TW9 4EN", county="Surrey"),
            TermRef=_ref("Term", "Net 30")),
    _vendor("London Stone Supplies", "London Stone Supplies Ltd", email="sales@londonstone.example.co.uk",
            phone="020 8946 0303", bill=_addr("Arch 12, Vauxhall Walk", "London", "SE11 5JT"),
            TermRef=_ref("Term", "Net 30")),
    _vendor("Southside Plant Hire", "Southside Plant Hire Ltd", email="hire@southsideplant.example.co.uk",
            phone="020 8946 0717", bill=_addr("Yard 3, Mitcham Road", "London", "SW17 9NA")),
    _vendor("Metro Telecom", "Metro Telecom Ltd", phone="0800 046 0808",
            bill=_addr("PO Box 800", "Leeds", "LS1 1AA"), TermRef=_ref("Term", "Net 14")),
    _vendor("Hartley & Co Accountants", "Hartley & Co", "Jonathan", "Hartley", "jon@hartleyco.example.co.uk",
            "020 7946 0128", _addr("18 Bedford Row", "London", "WC1R 4EQ"), TermRef=_ref("Term", "Net 30")),
    _vendor("HMRC", "HM Revenue & Customs", phone="0300 200 3700",
            bill=_addr("BX9 1AS", "Newcastle upon Tyne", "BX9 1AS")),
    _vendor("Oakwood Van Leasing", "Oakwood Van Leasing Ltd", phone="0333 046 0456",
            bill=_addr("Oakwood House", "Milton Keynes", "MK9 2FN", county="Buckinghamshire"),
            AcctNum="OVL-20931"),
    _vendor("Daniel Price", None, "Daniel", "Price", "dan.price.paving@example.co.uk", "07700 900321",
            _addr("27 Acre Lane", "London", "SW2 5SP"), TermRef=_ref("Term", "Net 14")),
    _vendor("Van Dijk Bulbs", "Van Dijk Bulbs BV", "Pieter", "van Dijk", "export@vandijkbulbs.example.nl",
            "+31 252 555 010", _addr("Heereweg 120", "Lisse", "2161 BR", "NL"), currency=_EUR,
            TermRef=_ref("Term", "Net 30")),
]

_EMPLOYEES = [
    ("Employee", {"GivenName": "Lucy", "FamilyName": "Morgan", "DisplayName": "Lucy Morgan",
                  "PrintOnCheckName": "Lucy Morgan", "Active": True, "BillableTime": True, "BillRate": 45.0,
                  "PrimaryAddr": _addr("31 Cedars Road", "London", "SW4 0PP"), "HiredDate": "2023-03-01"}),
    ("Employee", {"GivenName": "James", "FamilyName": "Whitfield", "DisplayName": "James Whitfield",
                  "PrintOnCheckName": "James Whitfield", "Active": True, "BillableTime": False,
                  "PrimaryAddr": _addr("12 Hornsey Lane", "London", "N6 5LX"), "HiredDate": "2024-09-02"}),
]

# -------------------------------------------------------------------- items


def _item(name, type_, description, price, income, sales_code, purchase_code="20.0% S", expense=None,
          cost=None, **extra):
    item = {"Name": name, "Type": type_, "Description": description, "Active": True, "UnitPrice": price,
            "Taxable": True, "TrackQtyOnHand": False,
            "IncomeAccountRef": _ref("Account", income),
            "SalesTaxIncluded": False, "PurchaseTaxIncluded": False,
            "SalesTaxCodeRef": _ref("TaxCode", sales_code),
            "PurchaseTaxCodeRef": _ref("TaxCode", purchase_code)}
    if expense:
        item["ExpenseAccountRef"] = _ref("Account", expense)
        item["PurchaseCost"] = cost or 0
        item["PurchaseDesc"] = description
    item.update(extra)
    return ("Item", item)


def _stock(name, description, price, cost, qty, sku, sales_code="20.0% S"):
    return _item(name, "Inventory", description, price, "Sales", sales_code, expense="Cost of Sales", cost=cost,
                 AssetAccountRef=_ref("Account", "Stock"), TrackQtyOnHand=True, QtyOnHand=qty,
                 InvStartDate="2026-01-01", Sku=sku)


_ITEMS = [
    _item("Garden Design", "Service", "Garden design, per hour", 85, "Design Fees", "20.0% S"),
    _item("Design Consultation", "Service", "Design consultation for overseas clients, per hour", 95,
          "Design Fees", "No VAT"),
    _item("Garden Maintenance", "Service", "Garden maintenance, per hour", 45, "Maintenance Contracts",
          "20.0% S"),
    _item("Hedge Trimming", "Service", "Hedge and shrub trimming, per hour", 40, "Maintenance Contracts",
          "20.0% S"),
    _item("Landscape Installation", "Service", "Hard and soft landscaping labour, per hour", 45,
          "Landscaping Services", "20.0% S", expense="Subcontractors", cost=28),
    _item("Turf", "NonInventory", "Rolled turf, per square metre", 6.5, "Sales", "20.0% S",
          expense="Materials Purchased", cost=3.2),
    _item("Spring Bulbs", "NonInventory", "Mixed spring bulbs, per hundred", 38, "Sales", "20.0% S",
          expense="Materials Purchased", cost=17.5),
    _item("Gardening Books", "NonInventory", "Children's gardening book", 12.99, "Sales", "0.0% Z",
          purchase_code="0.0% Z", expense="Cost of Sales", cost=6.5),
    _stock("Solar Garden Lights", "Energy-saving solar garden light", 24, 11, 60, "SGL-010",
           sales_code="5.0% R"),
    _stock("Oak Planter", "Large oak planter", 120, 55, 12, "OAK-120"),
]

# -------------------------------------------------------------- transactions


def _sale(item, qty, price, tax_code, description=None):
    return {
        "DetailType": "SalesItemLineDetail",
        "Amount": round(qty * price, 2),
        "Description": description or item,
        "SalesItemLineDetail": {
            "ItemRef": _ref("Item", item), "Qty": qty, "UnitPrice": price,
            "TaxCodeRef": _ref("TaxCode", tax_code),
        },
    }


def _expense(account, amount, tax_code, description=None):
    line = {"DetailType": "AccountBasedExpenseLineDetail", "Amount": amount,
            "AccountBasedExpenseLineDetail": {"AccountRef": _ref("Account", account),
                                              "BillableStatus": "NotBillable",
                                              "TaxCodeRef": _ref("TaxCode", tax_code)}}
    if description:
        line["Description"] = description
    return line


def _invoice(number, customer, date, due, term, email, lines, currency=_GBP, rate=None, **extra):
    invoice = {
        "DocNumber": number, "CustomerRef": _ref("Customer", customer), "TxnDate": date, "DueDate": due,
        "SalesTermRef": _ref("Term", term), "BillEmail": {"Address": email},
        "CurrencyRef": currency, "GlobalTaxCalculation": "TaxExcluded",
        "EmailStatus": "NotSet", "PrintStatus": "NeedToPrint",
        "CustomerMemo": {"value": "Thank you for your business."},
        "Line": lines,
    }
    if rate is not None:
        invoice["ExchangeRate"] = rate
    invoice.update(extra)
    return ("Invoice", invoice)


_INVOICES = [
    # 1,110.00 + VAT 222.00 = 1,332.00 GBP; paid in full
    _invoice("1001", "Chelsea Flower Cafe", "2026-01-15", "2026-02-14", "Net 30",
             "grace@chelseaflowercafe.example.co.uk", [
                 _sale("Garden Design", 10, 85, "20.0% S", "Courtyard garden design"),
                 _sale("Turf", 40, 6.5, "20.0% S"),
             ], ClassRef=_ref("Class", "Commercial"), DepartmentRef=_ref("Department", "South London")),
    # 604.95 + VAT 108.00 = 712.95 GBP
    _invoice("1002", "Hampstead Nursery School", "2026-02-10", "2026-03-12", "Net 30",
             "office@hampsteadnursery.example.co.uk", [
                 _sale("Garden Maintenance", 12, 45, "20.0% S"),
                 _sale("Gardening Books", 5, 12.99, "0.0% Z"),
             ], DepartmentRef=_ref("Department", "North London")),
    # 1,520.00 EUR, outside the scope of UK VAT; part paid
    _invoice("1003", "Jardins de Lyon", "2026-03-05", "2026-04-04", "Net 30",
             "compta@jardinsdelyon.example.fr", [
                 _sale("Design Consultation", 16, 95, "No VAT", "Planting plan for hotel courtyard"),
             ], currency=_EUR, rate=0.86),
    # 420.00 + VAT 12.00 (5%) + 36.00 (20%) = 468.00 GBP
    _invoice("1004", "Notting Hill Residents Association", "2026-04-14", "2026-04-28", "Net 14",
             "treasurer@nhra.example.org.uk", [
                 _sale("Solar Garden Lights", 10, 24, "5.0% R"),
                 _sale("Landscape Installation", 4, 45, "20.0% S", "Installation of garden lighting"),
             ], ClassRef=_ref("Class", "Residential")),
    # 1,320.00 USD, outside the scope of UK VAT
    _invoice("1005", "Hudson Valley Estates", "2026-05-06", "2026-06-05", "Net 30",
             "rkeane@hudsonvalleyestates.example.com", [
                 _sale("Design Consultation", 12, 110, "No VAT", "Formal garden concept design"),
             ], currency=_USD, rate=0.79),
    # 1,140.00 + VAT 228.00 = 1,368.00 GBP
    _invoice("1006", "Greenwich Property Management", "2026-07-01", "2026-08-30", "Net 60",
             "accounts@greenwichpm.example.co.uk", [
                 _sale("Garden Maintenance", 20, 45, "20.0% S", "Quarterly maintenance, Q3"),
                 _sale("Hedge Trimming", 6, 40, "20.0% S"),
             ], ClassRef=_ref("Class", "Commercial"), DepartmentRef=_ref("Department", "South London")),
]

_PAYMENTS = [
    ("Payment", {
        "CustomerRef": _ref("Customer", "Chelsea Flower Cafe"), "TxnDate": "2026-02-09", "TotalAmt": 1332.00,
        "CurrencyRef": _GBP, "PaymentMethodRef": _ref("PaymentMethod", "BACS"),
        "DepositToAccountRef": _ref("Account", "Current"), "PaymentRefNum": "CFC1001",
        "Line": [{"Amount": 1332.00, "LinkedTxn": [{"TxnId": _ref("Invoice", "1001"), "TxnType": "Invoice"}]}],
    }),
    ("Payment", {
        "CustomerRef": _ref("Customer", "Jardins de Lyon"), "TxnDate": "2026-04-02", "TotalAmt": 1000.00,
        "CurrencyRef": _EUR, "ExchangeRate": 0.87, "PaymentMethodRef": _ref("PaymentMethod", "BACS"),
        "DepositToAccountRef": _ref("Account", "EUR Bank"), "PaymentRefNum": "JDL-4471",
        "Line": [{"Amount": 1000.00, "LinkedTxn": [{"TxnId": _ref("Invoice", "1003"), "TxnType": "Invoice"}]}],
    }),
]

_BILLS = [
    # 180.00 + VAT 36.00 = 216.00 GBP
    ("Bill", {
        "DocNumber": "CE-260131", "VendorRef": _ref("Vendor", "Capital Energy"),
        "APAccountRef": _ref("Account", "Trade Creditors"), "TxnDate": "2026-01-31", "DueDate": "2026-02-14",
        "SalesTermRef": _ref("Term", "Net 14"), "CurrencyRef": _GBP, "GlobalTaxCalculation": "TaxExcluded",
        "Line": [_expense("Light, Heat and Power", 180.00, "20.0% S", "Electricity, January")],
    }),
    # 850.00 EUR, zero rated
    ("Bill", {
        "DocNumber": "VDB-2026-117", "VendorRef": _ref("Vendor", "Van Dijk Bulbs"),
        "APAccountRef": _ref("Account", "Creditors EUR"), "TxnDate": "2026-03-20", "DueDate": "2026-04-19",
        "SalesTermRef": _ref("Term", "Net 30"), "CurrencyRef": _EUR, "ExchangeRate": 0.86,
        "GlobalTaxCalculation": "TaxExcluded",
        "Line": [_expense("Materials Purchased", 850.00, "0.0% Z", "Tulip and narcissus bulbs, 25 crates")],
    }),
]

# ----------------------------------------------------- a year of trading (presets/history.py)
_SALES_MIX = [("Garden Maintenance", 45, "20.0% S"), ("Garden Design", 85, "20.0% S"),
              ("Hedge Trimming", 40, "20.0% S"), ("Turf", 6.5, "20.0% S"), ("Spring Bulbs", 38, "20.0% S"),
              ("Solar Garden Lights", 24, "5.0% R"), ("Gardening Books", 12.99, "0.0% Z"),
              ("Landscape Installation", 45, "20.0% S")]
_TRADING_CUSTOMERS = ["Chelsea Flower Cafe", "Hampstead Nursery School", "Notting Hill Residents Association",
                      "Greenwich Property Management", "Oliver Bennett", "Charlotte Hughes",
                      "Richmond Riverside Hotel", "Jardins de Lyon", "Putney Rowing Club",
                      "Islington Design Studio", "Harriet Wilson", "Fulham Family Dental", "Dublin Green Spaces"]
_EURO_CUSTOMERS = ("Jardins de Lyon", "Dublin Green Spaces")
_TRADING_VENDORS = [("Capital Energy", "Light, Heat and Power"), ("Greenline Builders Merchants",
                                                                  "Materials Purchased"),
                    ("Kew Trade Nursery", "Materials Purchased"), ("Southside Plant Hire", "Plant Hire"),
                    ("Metro Telecom", "Telephone and Internet"), ("London Stone Supplies", "Materials Purchased"),
                    ("Hartley & Co Accountants", "Accountancy Fees"), ("Oakwood Van Leasing", "Motor Expenses"),
                    ("Thames Valley Water", "Light, Heat and Power")]


def _trading_lines(k):
    customer = _TRADING_CUSTOMERS[k % len(_TRADING_CUSTOMERS)]
    if customer in _EURO_CUSTOMERS:
        return [_sale("Design Consultation", 2 + k % 6, 95, "No VAT", "Planting plan, phase %d" % (k % 4 + 1))]
    first, second = _SALES_MIX[k % len(_SALES_MIX)], _SALES_MIX[(k * 3 + 1) % len(_SALES_MIX)]
    lines = [_sale(first[0], 1 + k % 5, first[1], first[2])]
    if second[0] != first[0]:
        lines.append(_sale(second[0], 2 + k % 3, second[1], second[2]))
    return lines


def _trading_invoice(k, number, customer, date, due, lines):
    return ("Invoice", {"DocNumber": number, "CustomerRef": _ref("Customer", customer), "TxnDate": date,
                        "DueDate": due, "SalesTermRef": _ref("Term", "Net 30"),
                        "CurrencyRef": _EUR if customer in _EURO_CUSTOMERS else _GBP,
                        "GlobalTaxCalculation": "TaxExcluded", "EmailStatus": "NotSet", "PrintStatus": "NotSet",
                        "Line": lines})


def _trading_payment(k, customer, date, number, amount):
    euro = customer in _EURO_CUSTOMERS
    return ("Payment", {"CustomerRef": _ref("Customer", customer), "TxnDate": date, "TotalAmt": amount,
                        "CurrencyRef": _EUR if euro else _GBP,
                        "PaymentMethodRef": _ref("PaymentMethod", ("BACS", "Cheque", "Visa")[k % 3]),
                        "DepositToAccountRef": _ref("Account", "EUR Bank" if euro else "Current"),
                        "Line": [{"Amount": amount, "LinkedTxn": [
                            {"TxnId": _ref("Invoice", number), "TxnType": "Invoice"}]}]})


def _trading_bill_lines(k):
    vendor = _TRADING_VENDORS[k % len(_TRADING_VENDORS)]
    return [_expense(vendor[1], round(60 + (k * 41) % 450 + (k % 4) * 0.5, 2), "20.0% S")]


def _trading_bill(k, number, vendor, date, due, lines):
    return ("Bill", {"DocNumber": number, "VendorRef": _ref("Vendor", vendor[0]),
                     "APAccountRef": _ref("Account", "Trade Creditors"), "TxnDate": date, "DueDate": due,
                     "SalesTermRef": _ref("Term", "Net 30"), "CurrencyRef": _GBP,
                     "GlobalTaxCalculation": "TaxExcluded", "Line": lines})


def _trading_bill_payment(k, vendor, date, number, amount):
    return ("BillPayment", {
        "DocNumber": "C%04d" % (300 + k), "VendorRef": _ref("Vendor", vendor[0]), "TxnDate": date,
        "PayType": "Check", "TotalAmt": amount, "CurrencyRef": _GBP,
        "APAccountRef": _ref("Account", "Trade Creditors"),
        "CheckPayment": {"BankAccountRef": _ref("Account", "Current"), "PrintStatus": "NotSet"},
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": _ref("Bill", number), "TxnType": "Bill"}]}]})


_TRADING = trading(first_invoice=1007, invoices=25, customers=_TRADING_CUSTOMERS, sale_lines=_trading_lines,
                   invoice=_trading_invoice, payment=_trading_payment, bills=18, vendors=_TRADING_VENDORS,
                   bill_lines=_trading_bill_lines, bill=_trading_bill, bill_payment=_trading_bill_payment)

RECORDS = (
    [_account(*row) for row in _ACCOUNTS]
    + _TERMS + _PAYMENT_METHODS + _CLASSES + _DEPARTMENTS
    + _TAX_AGENCIES + _TAX_RATES + _TAX_CODES
    + _CUSTOMERS + _VENDORS + _EMPLOYEES + _ITEMS
    + _INVOICES + _PAYMENTS + _BILLS
    + _TRADING
)
