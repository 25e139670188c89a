"""US sandbox company, modelled on Intuit's US sample company.

Pure data in QBO Accounting API v3 JSON shape. References are symbolic:
``{"@ref": "<Entity>:<Name | DisplayName | DocNumber>"}``; the loader creates
the records of ``RECORDS`` in order and replaces each reference with
``{"value": Id, "name": ...}`` (a ``LinkedTxn`` ``TxnId`` with the Id string).
Ids, SyncTokens, MetaData, totals and balances are left to the emulator;
only Payment and BillPayment state their ``TotalAmt``, as the API asks.
"""

from .history import trading

REALM_ID = "9341452727711001"
UTC_OFFSET_MINUTES = -480  # Pacific time, as America/Los_Angeles in winter


def _ref(entity, name):
    return {"@ref": "%s:%s" % (entity, name)}


def _addr(line1, city, state, postal, country="USA", **extra):
    addr = {"Line1": line1, "City": city, "CountrySubDivisionCode": state, "PostalCode": postal,
            "Country": country}
    addr.update(extra)
    return addr


_COMPANY_ADDR = _addr("2500 Garcia Avenue", "Mountain View", "CA", "94043", "US")

COMPANY_INFO = {
    "CompanyName": "Craig's Design and Landscaping Services",
    "LegalName": "Craig's Design and Landscaping Services",
    "CompanyAddr": dict(_COMPANY_ADDR),
    "LegalAddr": dict(_COMPANY_ADDR),
    "CustomerCommunicationAddr": dict(_COMPANY_ADDR),
    "PrimaryPhone": {"FreeFormNumber": "(650) 555-3311"},
    "CompanyStartDate": "2025-01-01",
    "FiscalYearStartMonth": "January",
    "Country": "US",
    "Email": {"Address": "craig@craigsdesign.example.com"},
    "CustomerCommunicationEmailAddr": {"Address": "craig@craigsdesign.example.com"},
    "WebAddr": {"URI": "https://www.craigsdesign.example.com"},
    "SupportedLanguages": "en",
    "DefaultTimeZone": "America/Los_Angeles",
    "NameValue": [
        {"Name": "NeoEnabled", "Value": "true"},
        {"Name": "IndustryType", "Value": "Landscaping Services"},
        {"Name": "IndustryCode", "Value": "0780"},
        {"Name": "CompanyType", "Value": "Sole Proprietor"},
        {"Name": "SubscriptionStatus", "Value": "SUBSCRIBED"},
        {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
        {"Name": "PayrollFeature", "Value": "false"},
        {"Name": "AccountantFeature", "Value": "false"},
        {"Name": "IsQbdtMigrated", "Value": "false"},
        {"Name": "ItemCategoriesFeature", "Value": "true"},
        {"Name": "QBOIndustryType", "Value": "Landscaping Services"},
        {"Name": "AssignedTime", "Value": "2025-01-01T09:00:00-08:00"},
    ],
}

# --------------------------------------------------------------- accounts
# (Name, AccountType, AccountSubType, AcctNum, parent Name or None, Description or None)
_ACCOUNTS = [
    # Assets
    ("Checking", "Bank", "Checking", "1010", None, "Main operating account"),
    ("Savings", "Bank", "Savings", "1020", None, None),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "1100", None, None),
    ("Inventory Asset", "Other Current Asset", "Inventory", "1200", None, None),
    ("Prepaid Expenses", "Other Current Asset", "PrepaidExpenses", "1300", None, None),
    ("Uncategorized Asset", "Other Current Asset", "OtherCurrentAssets", "1350", None, None),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds", "1400", None, None),
    ("Truck", "Fixed Asset", "Vehicles", "1500", None, None),
    ("Original Cost", "Fixed Asset", "Vehicles", "1510", "Truck", None),
    ("Accumulated Depreciation", "Fixed Asset", "AccumulatedDepreciation", "1520", "Truck", None),
    ("Tools and Equipment", "Fixed Asset", "MachineryAndEquipment", "1600", None, None),
    ("Security Deposits", "Other Asset", "SecurityDeposits", "1800", None, "Office lease deposit"),
    # Liabilities
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "2000", None, None),
    ("Mastercard", "Credit Card", "CreditCard", "2100", None, None),
    ("Visa Business Card", "Credit Card", "CreditCard", "2110", None, None),
    ("Board of Equalization Payable", "Other Current Liability", "SalesTaxPayable", "2200", None, None),
    ("Arizona Dept. of Revenue Payable", "Other Current Liability", "SalesTaxPayable", "2210", None, None),
    ("Loan Payable", "Other Current Liability", "LoanPayable", "2300", None, None),
    ("Payroll Liabilities", "Other Current Liability", "PayrollTaxPayable", "2400", None, None),
    ("Notes Payable", "Long Term Liability", "NotesPayable", "2700", None, None),
    # Equity
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity", "3000", None, None),
    ("Owner's Equity", "Equity", "OwnersEquity", "3100", None, None),
    ("Owner Draws", "Equity", "PartnerDistributions", "3110", "Owner's Equity", None),
    ("Retained Earnings", "Equity", "RetainedEarnings", "3900", None, None),
    # Income
    ("Services", "Income", "ServiceFeeIncome", "4000", None, None),
    ("Billable Expense Income", "Income", "OtherPrimaryIncome", "4010", None, None),
    ("Design income", "Income", "ServiceFeeIncome", "4100", None, None),
    ("Discounts given", "Income", "DiscountsRefundsGiven", "4150", None, None),
    ("Fees Billed", "Income", "ServiceFeeIncome", "4160", None, None),
    ("Landscaping Services", "Income", "ServiceFeeIncome", "4200", None, None),
    ("Job Materials", "Income", "OtherPrimaryIncome", "4210", "Landscaping Services", None),
    ("Decks and Patios", "Income", "OtherPrimaryIncome", "4211", "Job Materials", None),
    ("Fountains and Garden Lighting", "Income", "OtherPrimaryIncome", "4212", "Job Materials", None),
    ("Plants and Soil", "Income", "OtherPrimaryIncome", "4213", "Job Materials", None),
    ("Sprinklers and Drip Systems", "Income", "OtherPrimaryIncome", "4214", "Job Materials", None),
    ("Labor", "Income", "ServiceFeeIncome", "4220", "Landscaping Services", None),
    ("Installation", "Income", "ServiceFeeIncome", "4221", "Labor", None),
    ("Maintenance and Repair", "Income", "ServiceFeeIncome", "4222", "Labor", None),
    ("Pest Control Services", "Income", "ServiceFeeIncome", "4300", None, None),
    ("Refunds-Allowances", "Income", "DiscountsRefundsGiven", "4350", None, None),
    ("Sales of Product Income", "Income", "SalesOfProductIncome", "4400", None, None),
    ("Uncategorized Income", "Income", "ServiceFeeIncome", "4900", None, None),
    # Cost of goods sold
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5000", None, None),
    ("Subcontracted Labor", "Cost of Goods Sold", "CostOfLaborCos", "5100", None, None),
    ("Freight and Delivery", "Cost of Goods Sold", "ShippingFreightDeliveryCos", "5200", None, None),
    # Expenses
    ("Advertising", "Expense", "AdvertisingPromotional", "6000", None, None),
    ("Automobile", "Expense", "Auto", "6100", None, None),
    ("Fuel", "Expense", "Auto", "6110", "Automobile", None),
    ("Bank Charges", "Expense", "BankCharges", "6200", None, None),
    ("Commissions & fees", "Expense", "CommissionsAndFees", "6250", None, None),
    ("Disposal Fees", "Expense", "OtherMiscellaneousServiceCost", "6270", None, None),
    ("Dues & Subscriptions", "Expense", "DuesSubscriptions", "6300", None, None),
    ("Equipment Rental", "Expense", "EquipmentRental", "6350", None, None),
    ("Insurance", "Expense", "Insurance", "6400", None, None),
    ("Workers Compensation", "Expense", "Insurance", "6410", "Insurance", None),
    ("Job Expenses", "Expense", "OtherMiscellaneousServiceCost", "6500", None, None),
    ("Cost of Labor", "Expense", "CostOfLabor", "6510", "Job Expenses", None),
    ("Job Materials Purchased", "Expense", "SuppliesMaterials", "6520", "Job Expenses", None),
    ("Permits", "Expense", "OtherMiscellaneousServiceCost", "6530", "Job Expenses", None),
    ("Legal & Professional Fees", "Expense", "LegalProfessionalFees", "6600", None, None),
    ("Accounting", "Expense", "LegalProfessionalFees", "6610", "Legal & Professional Fees", None),
    ("Bookkeeper", "Expense", "LegalProfessionalFees", "6620", "Legal & Professional Fees", None),
    ("Lawyer", "Expense", "LegalProfessionalFees", "6630", "Legal & Professional Fees", None),
    ("Meals and Entertainment", "Expense", "EntertainmentMeals", "6700", None, None),
    ("Office Expenses", "Expense", "OfficeGeneralAdministrativeExpenses", "6800", None, None),
    ("Payroll Expenses", "Expense", "PayrollExpenses", "6850", None, None),
    ("Promotional", "Expense", "AdvertisingPromotional", "6900", None, None),
    ("Purchases", "Expense", "SuppliesMaterials", "6950", None, None),
    ("Rent or Lease", "Expense", "RentOrLeaseOfBuildings", "7000", None, None),
    ("Repair & Maintenance", "Expense", "RepairMaintenance", "7100", None, None),
    ("Building Repairs", "Expense", "RepairMaintenance", "7110", "Repair & Maintenance", None),
    ("Computer Repairs", "Expense", "RepairMaintenance", "7120", "Repair & Maintenance", None),
    ("Equipment Repairs", "Expense", "RepairMaintenance", "7130", "Repair & Maintenance", None),
    ("Shipping and delivery expense", "Expense", "ShippingFreightDelivery", "7200", None, None),
    ("Stationery & Printing", "Expense", "OfficeGeneralAdministrativeExpenses", "7250", None, None),
    ("Supplies", "Expense", "SuppliesMaterials", "7300", None, None),
    ("Taxes & Licenses", "Expense", "TaxesPaid", "7400", None, None),
    ("Travel", "Expense", "Travel", "7500", None, None),
    ("Travel Meals", "Expense", "TravelMeals", "7510", None, None),
    ("Uncategorized Expense", "Expense", "OtherMiscellaneousServiceCost", "7900", None, None),
    ("Utilities", "Expense", "Utilities", "8000", None, None),
    ("Gas and Electric", "Expense", "Utilities", "8010", "Utilities", None),
    ("Telephone", "Expense", "Utilities", "8020", "Utilities", None),
    # Other income and expense
    ("Interest Earned", "Other Income", "InterestEarned", "8100", None, None),
    ("Other Portfolio Income", "Other Income", "OtherInvestmentIncome", "8150", None, None),
    ("Miscellaneous Income", "Other Income", "OtherMiscellaneousIncome", "8190", None, None),
    ("Depreciation", "Other Expense", "Depreciation", "8200", None, None),
    ("Miscellaneous", "Other Expense", "OtherMiscellaneousExpense", "8300", None, None),
    ("Penalties & Settlements", "Other Expense", "PenaltiesSettlements", "8400", None, None),
]


def _account(name, type_, subtype, num, parent=None, description=None):
    account = {"Name": name, "AccountType": type_, "AccountSubType": subtype, "AcctNum": num,
               "Active": True}
    if parent:
        account["ParentRef"] = _ref("Account", parent)
        account["SubAccount"] = True
    if description:
        account["Description"] = description
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
        "TaxForm": "6",
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
        "DefaultDiscountAccount": _account_id("Discounts given"),
        "AllowEstimates": True,
        "AllowShipping": False,
        "AllowServiceDate": False,
        "AutoApplyCredit": True,
        "AutoApplyPayments": True,
        "ETransactionEnabledStatus": "NotApplicable",
        "ETransactionPaymentEnabled": True,
        "ETransactionAttachPDF": False,
        "EmailCopyToCompany": False,
        "IPNSupportEnabled": False,
        "PrintItemWithZeroAmount": False,
        "UsingPriceLevels": False,
        "UsingProgressInvoicing": False,
        "DefaultCustomerMessage": "Thank you for your business and have a great day!",
        "CustomField": [
            {"CustomField": [
                {"Name": "SalesFormsPrefs.UseSalesCustom1", "Type": "BooleanType", "BooleanValue": True},
                {"Name": "SalesFormsPrefs.UseSalesCustom2", "Type": "BooleanType", "BooleanValue": False},
                {"Name": "SalesFormsPrefs.UseSalesCustom3", "Type": "BooleanType", "BooleanValue": False},
            ]},
            {"CustomField": [
                {"Name": "SalesFormsPrefs.SalesCustomName1", "Type": "StringType", "StringValue": "Crew #"},
            ]},
        ],
    },
    "EmailMessagesPrefs": {
        "InvoiceMessage": {
            "Subject": "Invoice [Invoice No.] from Craig's Design and Landscaping Services",
            "Message": "Your invoice is attached. Please remit payment at your earliest convenience.\n"
                       "Thank you for your business - we appreciate it very much.",
        },
        "EstimateMessage": {
            "Subject": "Estimate [Estimate No.] from Craig's Design and Landscaping Services",
            "Message": "Please review the estimate below. Feel free to contact us if you have any questions.",
        },
        "SalesReceiptMessage": {
            "Subject": "Sales Receipt [Sales Receipt No.] from Craig's Design and Landscaping Services",
            "Message": "Your sales receipt is attached.\nThank you for your business.",
        },
        "StatementMessage": {
            "Subject": "Statement from Craig's Design and Landscaping Services",
            "Message": "Your statement is attached. Please remit payment at your earliest convenience.",
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
                {"Name": "PurchasePrefs.PurchaseCustomName1", "Type": "StringType", "StringValue": "Crew #"},
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
        "PartnerTaxEnabled": True,
    },
    "CurrencyPrefs": {
        "MultiCurrencyEnabled": False,
        "HomeCurrency": {"value": "USD"},
    },
    "ReportPrefs": {
        "ReportBasis": "Accrual",
        "CalcAgingReportFromTxnDate": False,
    },
    "OtherPrefs": {
        "NameValue": [
            {"Name": "SalesFormsPrefs.DefaultCustomerMessage",
             "Value": "Thank you for your business and have a great day!"},
            {"Name": "SalesFormsPrefs.DefaultItem", "Value": "1"},
            {"Name": "DTXCopyMemo", "Value": "false"},
            {"Name": "UncategorizedAssetAccountId", "Value": _account_id("Uncategorized Asset")},
            {"Name": "UncategorizedIncomeAccountId", "Value": _account_id("Uncategorized Income")},
            {"Name": "UncategorizedExpenseAccountId", "Value": _account_id("Uncategorized Expense")},
            {"Name": "SFCEnabled", "Value": "true"},
            {"Name": "DataPartner", "Value": "false"},
            {"Name": "Vendor1099Enabled", "Value": "true"},
            {"Name": "TimeTrackingFeatureEnabled", "Value": "true"},
            {"Name": "FDPEnabled", "Value": "false"},
            {"Name": "ProjectsEnabled", "Value": "false"},
            {"Name": "DateFormat", "Value": "Month Date Year separated by a slash"},
            {"Name": "DateFormatMnemonic", "Value": "MMDDYYYY_SEP_SLASH"},
            {"Name": "NumberFormat", "Value": "US Number Format"},
            {"Name": "NumberFormatMnemonic", "Value": "US_NB"},
            {"Name": "WarnDuplicateCheckNumber", "Value": "true"},
            {"Name": "WarnDuplicateBillNumber", "Value": "false"},
            {"Name": "WarnDuplicateJournalNumber", "Value": "false"},
            {"Name": "WarnDuplicateDocNumber", "Value": "true"},
        ],
    },
}

CURRENCIES = []
EXCHANGE_RATES = []

# ------------------------------------------------------------ list records
_TERMS = [
    ("Term", {"Name": "Due on receipt", "Active": True, "Type": "STANDARD", "DueDays": 0}),
    ("Term", {"Name": "Net 15", "Active": True, "Type": "STANDARD", "DueDays": 15}),
    ("Term", {"Name": "Net 30", "Active": True, "Type": "STANDARD", "DueDays": 30}),
    ("Term", {"Name": "Net 60", "Active": True, "Type": "STANDARD", "DueDays": 60}),
    ("Term", {"Name": "1% 10 Net 30", "Active": True, "Type": "STANDARD", "DueDays": 30,
              "DiscountPercent": 1, "DiscountDays": 10}),
]

_PAYMENT_METHODS = [
    ("PaymentMethod", {"Name": name, "Active": True, "Type": type_}) for name, type_ in [
        ("Cash", "NON_CREDIT_CARD"),
        ("Check", "NON_CREDIT_CARD"),
        ("Visa", "CREDIT_CARD"),
        ("MasterCard", "CREDIT_CARD"),
        ("American Express", "CREDIT_CARD"),
        ("Discover", "CREDIT_CARD"),
        ("Diners Club", "CREDIT_CARD"),
    ]
]

_CLASSES = [
    ("Class", {"Name": "Landscaping", "SubClass": False, "Active": True}),
    ("Class", {"Name": "Design", "SubClass": False, "Active": True}),
    ("Class", {"Name": "Maintenance", "SubClass": False, "Active": True}),
]

_DEPARTMENTS = [
    ("Department", {"Name": "Mountain View", "SubDepartment": False, "Active": True}),
    ("Department", {"Name": "Palo Alto", "SubDepartment": False, "Active": True}),
    ("Department", {"Name": "San Jose", "SubDepartment": False, "Active": True}),
]

# ---------------------------------------------------------------- sales tax
_TAX_AGENCIES = [
    ("TaxAgency", {"DisplayName": name, "Name": name, "TaxTrackedOnSales": True,
                   "TaxTrackedOnPurchases": False})
    for name in ("California Department of Tax and Fee Administration", "Board of Equalization",
                 "Arizona Department of Revenue")
]


def _tax_rate(name, value, agency, description):
    return ("TaxRate", {
        "Name": name, "Description": description, "Active": True, "RateValue": value,
        "AgencyRef": _ref("TaxAgency", agency), "SpecialTaxType": "NONE", "DisplayType": "ReadOnly",
        "EffectiveTaxRate": [{"RateValue": value, "EffectiveDate": "2025-01-01T00:00:00-08:00"}],
    })


_TAX_RATES = [
    _tax_rate("California", 7.25, "California Department of Tax and Fee Administration",
              "California state sales tax"),
    _tax_rate("Santa Clara County", 0.75, "Board of Equalization", "Santa Clara County district tax"),
    _tax_rate("Mountain View", 1.125, "California Department of Tax and Fee Administration",
              "Mountain View city district tax"),
    _tax_rate("AZ State tax", 7.1, "Arizona Department of Revenue", "Arizona state sales tax"),
    _tax_rate("Tucson City", 2.0, "Arizona Department of Revenue", "Tucson city sales tax"),
]


def _tax_code(name, description, rates):
    return ("TaxCode", {
        "Name": name, "Description": description, "Active": True, "Hidden": False,
        "Taxable": True, "TaxGroup": len(rates) > 1,
        "SalesTaxRateList": {"TaxRateDetail": [
            {"TaxRateRef": _ref("TaxRate", rate), "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0}
            for rate in rates]},
        "PurchaseTaxRateList": {"TaxRateDetail": []},
    })


_TAX_CODES = [
    _tax_code("California", "California (8% combined)", ["California", "Santa Clara County"]),
    _tax_code("Mountain View", "Mountain View (9.125% combined)",
              ["California", "Santa Clara County", "Mountain View"]),
    _tax_code("Tucson", "Tucson (9.1% combined)", ["AZ State tax", "Tucson City"]),
]

# ---------------------------------------------------------------- customers


def _customer(display, company=None, given=None, family=None, email=None, phone=None,
              bill=None, ship=None, **extra):
    customer = {"DisplayName": display, "PrintOnCheckName": company or display, "Active": True}
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
    if ship:
        customer["ShipAddr"] = ship
    customer.setdefault("Taxable", True)
    customer.update(extra)
    customer["PreferredDeliveryMethod"] = "Print" if not email else "Email"
    return ("Customer", customer)


def _job(display, parent, bill, **extra):
    job = {"DisplayName": display, "PrintOnCheckName": display, "Active": True,
           "ParentRef": _ref("Customer", parent), "Job": True, "BillWithParent": True,
           "BillAddr": bill, "ShipAddr": dict(bill), "Taxable": True,
           "PreferredDeliveryMethod": "Print"}
    job.update(extra)
    return ("Customer", job)


_CUSTOMERS = [
    _customer("Amy's Bird Sanctuary", "Amy's Bird Sanctuary", "Amy", "Lauterbach",
              "Birds@Intuit.com", "(650) 555-3311",
              _addr("4581 Finch St.", "Bayshore", "CA", "94326"),
              _addr("4581 Finch St.", "Bayshore", "CA", "94326"),
              Taxable=False, SalesTermRef=_ref("Term", "Net 30"),
              Notes="Prefers invoices by email. Gate code 4581."),
    _customer("Bill's Windsurf Shop", "Bill's Windsurf Shop", "Bill", "Lucchini",
              "Surf@Intuit.com", "(415) 444-6538",
              _addr("12 Ocean Dr.", "Half Moon Bay", "CA", "94213")),
    _customer("Cool Cars", "Cool Cars", "Grace", "Pariente", "Cool_Cars@intuit.com", "(415) 555-9933",
              _addr("65 Ocean Dr.", "Half Moon Bay", "CA", "94213"),
              SalesTermRef=_ref("Term", "Net 15")),
    _customer("Diego Rodriguez", None, "Diego", "Rodriguez", "Diego@Rodriguez.com", "(650) 555-4477",
              _addr("321 Channing", "Palo Alto", "CA", "94303")),
    _customer("Dukes Basketball Camp", "Dukes Basketball Camp", "Peter", "Dukes",
              "Dukes_bball@intuit.com", "(520) 420-5638",
              _addr("25 Court St.", "Tucson", "AZ", "85719"),
              _addr("25 Court St.", "Tucson", "AZ", "85719"),
              DefaultTaxCodeRef=_ref("TaxCode", "Tucson")),
    _customer("Dylan Sollfrank", None, "Dylan", "Sollfrank", "dylan.sollfrank@example.com",
              "(650) 555-2315", _addr("1 Sollfrank Way", "Menlo Park", "CA", "94025")),
    _customer("Freeman Sporting Goods", "Freeman Sporting Goods", "Sasha", "Tillou",
              "Sporting_goods@intuit.com", "(650) 555-0987",
              _addr("370 Easy St.", "Middlefield", "CA", "94482"),
              _addr("370 Easy St.", "Middlefield", "CA", "94482"),
              SalesTermRef=_ref("Term", "Net 30")),
    _job("0969 Ocean View Road", "Freeman Sporting Goods",
         _addr("0969 Ocean View Road", "Middlefield", "CA", "94482"),
         GivenName="Sasha", FamilyName="Tillou", CompanyName="Freeman Sporting Goods",
         PrimaryEmailAddr={"Address": "Sporting_goods@intuit.com"}),
    _job("55 Twin Lane", "Freeman Sporting Goods",
         _addr("55 Twin Lane", "Middlefield", "CA", "94482"),
         GivenName="Amelia", CompanyName="Freeman Sporting Goods",
         PrimaryEmailAddr={"Address": "Sporting_goods@intuit.com"},
         DefaultTaxCodeRef=_ref("TaxCode", "Mountain View")),
    _customer("Geeta Kalapatapu", None, "Geeta", "Kalapatapu", "Geeta@Kalapatapu.com", "(650) 555-0022",
              _addr("1987 Main St.", "Middlefield", "CA", "94303")),
    _customer("Gevelber Photography", "Gevelber Photography", "Lisa", "Gevelber",
              "Photography@intuit.com", "(415) 222-4345",
              _addr("1103 Cherry Ln.", "San Jose", "CA", "95123")),
    _customer("Jeff's Jalopies", "Jeff's Jalopies", "Jeff", "Chin", "Jalopies@intuit.com", "(650) 555-8989",
              _addr("12 Willow Rd.", "Menlo Park", "CA", "94305"),
              SalesTermRef=_ref("Term", "Net 30")),
    _customer("John Melton", None, "John", "Melton", "John@Melton.com", "(650) 555-5879",
              _addr("85 Pine St.", "Menlo Park", "CA", "94304")),
    _customer("Kate Whelan", None, "Kate", "Whelan", "Kate@Whelan.com", "(650) 554-1479",
              _addr("45 First St.", "Menlo Park", "CA", "94304"), Taxable=False),
    _customer("Kookies by Kathy", "Kookies by Kathy", "Kathy", "Kuplis", "Kookies@intuit.com",
              "(650) 555-7896", _addr("789 Sugar Lane", "Middlefield", "CA", "94303"),
              SalesTermRef=_ref("Term", "Due on receipt")),
    _customer("Mark Cho", None, "Mark", "Cho", "Mark@Cho.com", "(650) 554-1480",
              _addr("36 Willow Rd", "Menlo Park", "CA", "94304")),
    _customer("Paulsen Medical Supplies", "Paulsen Medical Supplies", "Kathy", "Paulsen",
              "Medical@intuit.com", "(650) 557-8855",
              _addr("900 Main St.", "Middlefield", "CA", "94303"),
              _addr("38921 Spruce Blvd.", "Middlefield", "CA", "94303"),
              SalesTermRef=_ref("Term", "Net 60")),
    _customer("Pye's Cakes", "Pye's Cakes", "Karen", "Pye", "pyescakes@intuit.com", "(973) 555-4652",
              _addr("350 Mountain View Dr.", "South Orange", "NJ", "07079"), Taxable=False),
    _customer("Rago Travel Agency", "Rago Travel Agency", "Nicola", "Rago", "Rago_Travel@intuit.com",
              "(650) 555-1596", _addr("753 Cedar St.", "Bayshore", "CA", "94326"),
              SalesTermRef=_ref("Term", "Net 30")),
    _customer("Red Rock Diner", "Red Rock Diner", "Stephanie", "Martini", "Diner@intuit.com",
              "(650) 555-4973", _addr("500 Red Rock Rd.", "Bayshore", "CA", "94326"),
              SalesTermRef=_ref("Term", "Net 30")),
    _customer("Rondonuwu Fruit and Vegi", "Rondonuwu Fruit and Vegi", "Tony", "Rondonuwu",
              "Tony@Rondonuwu.com", "(650) 555-2645",
              _addr("847 California Ave.", "San Jose", "CA", "95021")),
    _customer("Shara Barnett", None, "Shara", "Barnett", "Design@intuit.com", "(650) 555-4563",
              _addr("19 Main St.", "Middlefield", "CA", "94303"),
              _addr("19 Main St.", "Middlefield", "CA", "94303")),
    _job("Barnett Design", "Shara Barnett", _addr("19 Main St.", "Middlefield", "CA", "94303"),
         GivenName="Shara", FamilyName="Barnett", CompanyName="Barnett Design",
         PrimaryEmailAddr={"Address": "Design@intuit.com"}, PrimaryPhone={"FreeFormNumber": "(650) 555-4563"}),
    _customer("Sonnenschein Family Store", "Sonnenschein Family Store", "Russ", "Sonnenschein",
              "Familiystore@intuit.com", "(650) 557-8463",
              _addr("5647 Cypress Hill Ave.", "Middlefield", "CA", "94303")),
    _customer("Sushi by Katsuyuki", "Sushi by Katsuyuki", "Kata", "Yanagawa", "Sushi@intuit.com",
              "(505) 570-0147", _addr("898 Elm St.", "Maplewood", "NJ", "07040"),
              SalesTermRef=_ref("Term", "Net 30")),
    _customer("Travis Waldron", None, "Travis", "Waldron", "Travis@Waldron.com", "(650) 555-9872",
              _addr("78 First St.", "Monlo Park", "CA", "94304")),
    _customer("Video Games by Dan", "Video Games by Dan", "Dan", "Miller", "Videogames@intuit.com",
              "(650) 555-3456", _addr("1520 Eliot Street", "Middlefield", "CA", "94303")),
    _customer("Wedding Planning by Whitney", "Wedding Planning by Whitney", "Whitney", "Sanders",
              "Dream_Wedding@intuit.com", "(650) 557-2473",
              _addr("135 Broadway", "Menlo Park", "CA", "94304"),
              Notes="Wedding season is May to September; schedule work around events."),
    _customer("Weiskopf Consulting", "Weiskopf Consulting", "Nicole", "Weiskopf", "Consulting@intuit.com",
              "(650) 555-1423", _addr("45612 Main St.", "Bayshore", "CA", "94326"),
              _addr("45612 Main St.", "Bayshore", "CA", "94326"),
              SalesTermRef=_ref("Term", "1% 10 Net 30")),
]

# ------------------------------------------------------------------ vendors


def _vendor(display, company=None, given=None, family=None, email=None, phone=None, bill=None,
            **extra):
    vendor = {"DisplayName": display, "PrintOnCheckName": company or display, "Active": True,
              "Vendor1099": False}
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
    _vendor("Bob's Burger Joint", "Bob's Burger Joint", phone="(650) 555-7823",
            bill=_addr("56 Grill Ave.", "Palo Alto", "CA", "94301")),
    _vendor("Books by Bessie", "Books by Bessie", "Bessie", "Williams", "Books@Intuit.com", "(650) 555-7745",
            _addr("15 Main St.", "Palo Alto", "CA", "94303"), AcctNum="1345"),
    _vendor("Brosnahan Insurance Agency", "Brosnahan Insurance Agency", "Nick", "Brosnahan",
            "brosnahan@insure.example.com", "(650) 555-9912",
            _addr("P.O. Box 5", "Middlefield", "CA", "94482"), AcctNum="7653412",
            TermRef=_ref("Term", "Net 30")),
    _vendor("Cal Telephone", "Cal Telephone", phone="(650) 555-1616",
            bill=_addr("10 Main St.", "Palo Alto", "CA", "94303"), TermRef=_ref("Term", "Net 15")),
    _vendor("Chin's Gas and Oil", "Chin's Gas and Oil", phone="(650) 555-6543",
            bill=_addr("210 El Camino Real", "Los Altos", "CA", "94022")),
    _vendor("Cigna Health Care", "Cigna Health Care", phone="(520) 555-9874",
            bill=_addr("900 Cottage Grove Rd.", "Bloomfield", "CT", "06002"),
            TermRef=_ref("Term", "Net 30")),
    _vendor("Computers by Jenni", "Computers by Jenni", "Jenni", "Winslow", "Msfixit@Intuit.com",
            "(650) 555-8721", _addr("1515 Main St.", "Middlefield", "CA", "94303")),
    _vendor("Diego's Road Warrior Bodyshop", "Diego's Road Warrior Bodyshop", "Diego", "Lopez",
            phone="(650) 555-4321", bill=_addr("88 Garage Way", "Menlo Park", "CA", "94025")),
    _vendor("EDD", "Employment Development Department", phone="(888) 745-3886",
            bill=_addr("P.O. Box 826880", "Sacramento", "CA", "94280")),
    _vendor("Ellis Equipment Rental", "Ellis Equipment Rental", "Julie", "Ellis", "Rental@intuit.com",
            "(650) 555-3333", _addr("45896 Main St.", "Middlefield", "CA", "94303"), AcctNum="39765",
            TermRef=_ref("Term", "Net 30")),
    _vendor("Fidelity", "Fidelity", phone="(800) 555-3434",
            bill=_addr("245 Summer St.", "Boston", "MA", "02210")),
    _vendor("Hall Properties", "Hall Properties", "Melanie", "Hall", "hall@properties.example.com",
            "(973) 555-3827", _addr("P.O.Box 357", "South Orange", "NJ", "07079"),
            TermRef=_ref("Term", "Net 30"), Vendor1099=True, TaxIdentifier="XXXXXX4321"),
    _vendor("Hicks Hardware", "Hicks Hardware", "Geoff", "Hicks", "hicks@hardware.example.com",
            "(650) 554-1973", _addr("42 Main St.", "Middlefield", "CA", "94303"), AcctNum="556223",
            TermRef=_ref("Term", "Net 30")),
    _vendor("Lee Advertising", "Lee Advertising", phone="(650) 554-4622",
            bill=_addr("776 Middlefield Rd.", "Palo Alto", "CA", "94301"), AcctNum="776543",
            TermRef=_ref("Term", "Net 30")),
    _vendor("Mahoney Mugs", "Mahoney Mugs", "Peter", "Mahoney", "mugs@mahoney.example.com", "(650) 555-7319",
            _addr("16 Kiln Ct.", "Sunnyvale", "CA", "94086")),
    _vendor("Met Life Dental", "Met Life Dental", phone="(800) 555-6252",
            bill=_addr("200 Park Ave.", "New York", "NY", "10166")),
    _vendor("National Eye Care", "National Eye Care", phone="(650) 555-0101",
            bill=_addr("600 Vision Blvd.", "Sunnyvale", "CA", "94085")),
    _vendor("Norton Lumber and Building Materials", "Norton Lumber and Building Materials", "Rocco",
            "Norton", "Materials@intuit.com", "(650) 363-6578",
            _addr("4528 Lake St.", "Middlefield", "CA", "94303"), AcctNum="4528",
            TermRef=_ref("Term", "Net 30")),
    _vendor("PG&E", "PG&E", email="utilities@pge.example.com", phone="(888) 555-9465",
            bill=_addr("4 Center St.", "San Francisco", "CA", "94105"), AcctNum="7653412-1",
            TermRef=_ref("Term", "Net 15")),
    _vendor("Pam Seitz", None, "Pam", "Seitz", "SeitzCPA@noemail.com", "(650) 557-8855",
            _addr("87 Cedar Ave.", "Palo Alto", "CA", "94301"), Vendor1099=True,
            TaxIdentifier="XXXXXX6789", TermRef=_ref("Term", "Net 15")),
    _vendor("Robertson & Associates", "Robertson & Associates", "Mark", "Robertson",
            "robertson@associates.example.com", "(650) 557-1111",
            _addr("P.O. Box 147", "Bayshore", "CA", "94326"), Vendor1099=True, AcctNum="12345"),
    _vendor("Squeaky Kleen Car Wash", "Squeaky Kleen Car Wash", phone="(650) 555-2222",
            bill=_addr("98 Sparkle Ave.", "Mountain View", "CA", "94041")),
    _vendor("Tania's Nursery", "Tania's Nursery", "Tania", "Castillo", "plantqueen@taniasnursery.com",
            "(650) 555-4236", _addr("1111 Sutter Ave.", "Middlefield", "CA", "94303"),
            TermRef=_ref("Term", "Net 30")),
    _vendor("Tim Philip Masonry", "Tim Philip Masonry", "Tim", "Philip", "tim.philip@timphilipmasonry.com",
            "(800) 556-1254", _addr("3948 Elm St.", "Middlefield", "CA", "94303"), AcctNum="5789",
            Vendor1099=True, TermRef=_ref("Term", "Net 30")),
    _vendor("Tony Rondonuwu", None, "Tony", "Rondonuwu", "tonyrjr@intuit.com", "(650) 555-2645",
            _addr("847 California Ave.", "San Jose", "CA", "95021"), Vendor1099=True),
    _vendor("United States Treasury", "Internal Revenue Service", phone="(800) 829-1040",
            bill=_addr("1111 Constitution Ave NW", "Washington", "DC", "20224")),
]

_EMPLOYEES = [
    ("Employee", {"GivenName": "Emily", "FamilyName": "Platt", "DisplayName": "Emily Platt",
                  "PrintOnCheckName": "Emily Platt", "Active": True, "BillableTime": False,
                  "PrimaryPhone": {"FreeFormNumber": "(650) 555-6281"},
                  "PrimaryAddr": _addr("23 Oak Ave.", "Middlefield", "CA", "94303"),
                  "HiredDate": "2025-03-01"}),
    ("Employee", {"GivenName": "John", "FamilyName": "Johnson", "DisplayName": "John Johnson",
                  "PrintOnCheckName": "John Johnson", "Active": True, "BillableTime": True,
                  "BillRate": 45.0, "PrimaryPhone": {"FreeFormNumber": "(650) 555-8833"},
                  "PrimaryAddr": _addr("450 Walnut Ct.", "Mountain View", "CA", "94040"),
                  "HiredDate": "2025-04-15"}),
]

# -------------------------------------------------------------------- items


def _service(name, description, price, income, taxable=False, expense=None, cost=None, parent=None):
    item = {"Name": name, "Type": "Service", "Description": description, "Active": True,
            "UnitPrice": price, "Taxable": taxable, "TrackQtyOnHand": False,
            "IncomeAccountRef": _ref("Account", income)}
    if expense:
        item["ExpenseAccountRef"] = _ref("Account", expense)
        item["PurchaseCost"] = cost or 0
        item["PurchaseDesc"] = description
    if parent:
        item["ParentRef"] = _ref("Item", parent)
        item["SubItem"] = True
    return ("Item", item)


def _inventory(name, description, price, cost, qty, sku):
    return ("Item", {
        "Name": name, "Type": "Inventory", "Description": description, "PurchaseDesc": description,
        "Active": True, "Sku": sku, "UnitPrice": price, "PurchaseCost": cost, "Taxable": True,
        "TrackQtyOnHand": True, "QtyOnHand": qty, "InvStartDate": "2026-01-01",
        "IncomeAccountRef": _ref("Account", "Sales of Product Income"),
        "ExpenseAccountRef": _ref("Account", "Cost of Goods Sold"),
        "AssetAccountRef": _ref("Account", "Inventory Asset"),
    })


_ITEMS = [
    ("Item", {"Name": "Landscaping", "Type": "Category", "Active": True}),
    _service("Concrete", "Concrete for fountain installation", 0, "Fountains and Garden Lighting",
             taxable=True, expense="Job Materials Purchased", cost=0),
    _service("Design", "Custom Design", 75, "Design income"),
    _service("Gardening", "Weekly Gardening Service", 30, "Landscaping Services"),
    _service("Hours", "Hours of labor", 0, "Services"),
    _service("Installation", "Installation of landscape design", 50, "Installation"),
    _service("Lighting", "Garden Lighting", 0, "Fountains and Garden Lighting", taxable=True),
    _service("Maintenance & Repair", "Maintenance & Repair", 0, "Maintenance and Repair"),
    _service("Pest Control", "Pest Control Services", 35, "Pest Control Services"),
    _service("Refunds & Allowances", "Income due to refunds or allowances", 0, "Refunds-Allowances"),
    _service("Services", "Services", 0, "Services"),
    _service("Trimming", "Tree and Shrub Trimming", 35, "Landscaping Services"),
    _service("Rocks", "Garden Rocks", 0, "Fountains and Garden Lighting", taxable=True,
             expense="Job Materials Purchased", cost=0, parent="Landscaping"),
    _service("Sod", "Sod", 0, "Plants and Soil", taxable=True,
             expense="Cost of Goods Sold", cost=0, parent="Landscaping"),
    _service("Soil", "2 cubic ft. bag", 10, "Plants and Soil", taxable=True,
             expense="Job Materials Purchased", cost=6.5, parent="Landscaping"),
    ("Item", {"Name": "Sprinkler Pipes", "Type": "NonInventory", "Description": "Sprinkler Pipes",
              "PurchaseDesc": "Sprinkler Pipes", "Active": True, "UnitPrice": 4, "PurchaseCost": 2.5,
              "Taxable": True, "TrackQtyOnHand": False, "Sku": "SP-1002",
              "IncomeAccountRef": _ref("Account", "Sprinklers and Drip Systems"),
              "ExpenseAccountRef": _ref("Account", "Cost of Goods Sold")}),
    _inventory("Pump", "Fountain Pump", 15, 10, 25, "P461-17"),
    _inventory("Rock Fountain", "Rock Fountain", 275, 125, 2, "RF-3352"),
    _inventory("Sprinkler Heads", "Sprinkler Heads", 2, 0.75, 25, "SH-2201"),
]

# -------------------------------------------------------------- transactions


def _sale(item, qty, price, taxable=False, description=None):
    return {
        "DetailType": "SalesItemLineDetail",
        "Amount": round(qty * price, 2),
        "Description": description or item,
        "SalesItemLineDetail": {
            "ItemRef": _ref("Item", item), "Qty": qty, "UnitPrice": price,
            "TaxCodeRef": {"value": "TAX" if taxable else "NON"},
        },
    }


def _expense(account, amount, description=None, customer=None):
    detail = {"AccountRef": _ref("Account", account), "BillableStatus": "NotBillable",
              "TaxCodeRef": {"value": "NON"}}
    if customer:
        detail["CustomerRef"] = _ref("Customer", customer)
        detail["BillableStatus"] = "Billable"
    line = {"DetailType": "AccountBasedExpenseLineDetail", "Amount": amount,
            "AccountBasedExpenseLineDetail": detail}
    if description:
        line["Description"] = description
    return line


def _item_expense(item, qty, price, description=None):
    return {
        "DetailType": "ItemBasedExpenseLineDetail",
        "Amount": round(qty * price, 2),
        "Description": description or item,
        "ItemBasedExpenseLineDetail": {
            "ItemRef": _ref("Item", item), "Qty": qty, "UnitPrice": price,
            "BillableStatus": "NotBillable", "TaxCodeRef": {"value": "NON"},
        },
    }


def _invoice(number, customer, date, due, term, email, lines, tax_code=None, **extra):
    invoice = {
        "DocNumber": number, "CustomerRef": _ref("Customer", customer), "TxnDate": date,
        "DueDate": due, "SalesTermRef": _ref("Term", term), "BillEmail": {"Address": email},
        "EmailStatus": "NotSet", "PrintStatus": "NeedToPrint",
        "CustomerMemo": {"value": "Thank you for your business and have a great day!"},
        "Line": lines,
    }
    if tax_code:
        invoice["TxnTaxDetail"] = {"TxnTaxCodeRef": _ref("TaxCode", tax_code)}
    invoice.update(extra)
    return ("Invoice", invoice)


_INVOICES = [
    _invoice("1001", "Amy's Bird Sanctuary", "2026-01-12", "2026-02-11", "Net 30", "Birds@Intuit.com", [
        _sale("Gardening", 4, 30, description="Weekly Gardening Service"),
        _sale("Pest Control", 2, 35, description="Pest Control Services"),
    ], BillAddr=_addr("4581 Finch St.", "Bayshore", "CA", "94326"),
        ClassRef=_ref("Class", "Maintenance"), DepartmentRef=_ref("Department", "Mountain View")),
    _invoice("1002", "Cool Cars", "2026-02-03", "2026-02-18", "Net 15", "Cool_Cars@intuit.com", [
        _sale("Installation", 10, 50, description="Installation of landscape design"),
        _sale("Sprinkler Heads", 20, 2, taxable=True),
        _sale("Sprinkler Pipes", 15, 4, taxable=True),
    ], tax_code="California", BillAddr=_addr("65 Ocean Dr.", "Half Moon Bay", "CA", "94213")),
    _invoice("1003", "55 Twin Lane", "2026-03-10", "2026-04-09", "Net 30", "Sporting_goods@intuit.com", [
        _sale("Design", 8, 75, description="Custom Design"),
        _sale("Rock Fountain", 1, 275, taxable=True),
        _sale("Pump", 2, 15, taxable=True, description="Fountain Pump"),
        _sale("Concrete", 4, 22.5, taxable=True, description="Concrete for fountain installation"),
    ], tax_code="Mountain View", ShipAddr=_addr("55 Twin Lane", "Middlefield", "CA", "94482"),
        ClassRef=_ref("Class", "Design"), DepartmentRef=_ref("Department", "Mountain View"),
        PrivateNote="Fountain install, phase 1."),
    _invoice("1004", "Kookies by Kathy", "2026-04-06", "2026-04-06", "Due on receipt", "Kookies@intuit.com", [
        _sale("Design", 3, 75, description="Custom Design"),
        _sale("Lighting", 2, 62.5, taxable=True, description="Garden Lighting"),
    ], tax_code="California"),
    _invoice("1005", "Dukes Basketball Camp", "2026-05-11", "2026-06-10", "Net 30", "Dukes_bball@intuit.com", [
        _sale("Trimming", 8, 35, description="Tree and Shrub Trimming"),
        _sale("Rocks", 10, 12, taxable=True, description="Garden Rocks"),
        _sale("Soil", 8, 10, taxable=True, description="2 cubic ft. bag"),
    ], tax_code="Tucson", ShipAddr=_addr("25 Court St.", "Tucson", "AZ", "85719")),
    _invoice("1006", "Red Rock Diner", "2026-06-15", "2026-07-15", "Net 30", "Diner@intuit.com", [
        _sale("Maintenance & Repair", 5, 45, description="Irrigation maintenance and repair"),
        _sale("Gardening", 6, 30, description="Weekly Gardening Service"),
        {"DetailType": "DiscountLineDetail", "Amount": 40.5,
         "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10,
                                "DiscountAccountRef": _ref("Account", "Discounts given")}},
    ], DepartmentRef=_ref("Department", "Palo Alto")),
    _invoice("1007", "Sushi by Katsuyuki", "2026-08-20", "2026-09-19", "Net 30", "Sushi@intuit.com", [
        _sale("Services", 12, 40, description="Landscape consultation"),
    ]),
    _invoice("1008", "Weiskopf Consulting", "2026-10-05", "2026-11-04", "1% 10 Net 30", "Consulting@intuit.com", [
        _sale("Design", 6, 75, description="Custom Design"),
        _sale("Installation", 4, 50, description="Installation of landscape design"),
        _sale("Pump", 3, 15, taxable=True, description="Fountain Pump"),
    ], tax_code="California", ClassRef=_ref("Class", "Landscaping"),
        DepartmentRef=_ref("Department", "San Jose")),
]

_CREDIT_MEMOS = [
    ("CreditMemo", {
        "DocNumber": "5001", "CustomerRef": _ref("Customer", "Bill's Windsurf Shop"),
        "TxnDate": "2026-03-18", "BillEmail": {"Address": "Surf@Intuit.com"},
        "CustomerMemo": {"value": "Credit for unsatisfactory trimming."},
        "Line": [_sale("Refunds & Allowances", 1, 50, description="Allowance for re-trimming")],
    }),
    ("CreditMemo", {
        "DocNumber": "5002", "CustomerRef": _ref("Customer", "Red Rock Diner"),
        "TxnDate": "2026-07-02", "BillEmail": {"Address": "Diner@intuit.com"},
        "Line": [_sale("Pest Control", 1, 35, description="Missed pest control visit")],
    }),
]


def _payment(customer, date, total, method, applied, ref_num=None):
    payment = {
        "CustomerRef": _ref("Customer", customer), "TxnDate": date, "TotalAmt": total,
        "PaymentMethodRef": _ref("PaymentMethod", method),
        "DepositToAccountRef": _ref("Account", "Undeposited Funds"),
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": _ref("Invoice", number), "TxnType": "Invoice"}]}
                 for number, amount in applied],
    }
    if ref_num:
        payment["PaymentRefNum"] = ref_num
    return ("Payment", payment)


_PAYMENTS = [
    # pays invoice 1001 (190.00) in full
    _payment("Amy's Bird Sanctuary", "2026-02-05", 190.00, "Check", [("1001", 190.00)], "2034"),
    # part of invoice 1002 (608.00)
    _payment("Cool Cars", "2026-02-20", 300.00, "Visa", [("1002", 300.00)]),
    # pays invoice 1005 (498.20) in full, 51.80 left unapplied
    _payment("Dukes Basketball Camp", "2026-06-01", 550.00, "Check", [("1005", 498.20)], "5561"),
]

_SALES_RECEIPTS = [
    ("SalesReceipt", {
        "DocNumber": "7001", "CustomerRef": _ref("Customer", "Diego Rodriguez"), "TxnDate": "2026-04-22",
        "PaymentMethodRef": _ref("PaymentMethod", "MasterCard"), "PaymentRefNum": "4402",
        "DepositToAccountRef": _ref("Account", "Undeposited Funds"),
        "BillEmail": {"Address": "Diego@Rodriguez.com"},
        "TxnTaxDetail": {"TxnTaxCodeRef": _ref("TaxCode", "California")},
        "Line": [
            _sale("Pest Control", 1, 35, description="Pest Control Services"),
            _sale("Sprinkler Heads", 4, 2, taxable=True),
        ],
    }),
]


def _bill(number, vendor, date, due, lines, term=None, **extra):
    bill = {"DocNumber": number, "VendorRef": _ref("Vendor", vendor),
            "APAccountRef": _ref("Account", "Accounts Payable (A/P)"),
            "TxnDate": date, "DueDate": due, "Line": lines}
    if term:
        bill["SalesTermRef"] = _ref("Term", term)
    bill.update(extra)
    return ("Bill", bill)


_BILLS = [
    _bill("75-3346", "PG&E", "2026-01-20", "2026-02-04", [
        _expense("Gas and Electric", 114.09, "January gas and electric"),
    ], term="Net 15"),
    _bill("NL-1022", "Norton Lumber and Building Materials", "2026-02-14", "2026-03-16", [
        _item_expense("Sprinkler Heads", 100, 0.75),
        _item_expense("Pump", 10, 10, "Fountain Pump"),
        _expense("Job Materials Purchased", 205.00, "Lumber for deck framing"),
    ], term="Net 30"),
    _bill("BIA-2026-04", "Brosnahan Insurance Agency", "2026-04-01", "2026-05-01", [
        _expense("Insurance", 241.23, "Liability insurance, Q2"),
    ], term="Net 30", PrivateNote="Quarterly premium"),
    _bill("HH-7755", "Hicks Hardware", "2026-07-12", "2026-08-11", [
        _expense("Equipment Repairs", 95.50, "Mower blade replacement"),
        _expense("Supplies", 38.75, "Irrigation fittings", customer="Sonnenschein Family Store"),
    ], term="Net 30", DepartmentRef=_ref("Department", "Palo Alto")),
]


def _bill_payment(number, vendor, date, total, applied):
    return ("BillPayment", {
        "DocNumber": number, "VendorRef": _ref("Vendor", vendor), "TxnDate": date,
        "PayType": "Check", "TotalAmt": total,
        "APAccountRef": _ref("Account", "Accounts Payable (A/P)"),
        "CheckPayment": {"BankAccountRef": _ref("Account", "Checking"), "PrintStatus": "NotSet"},
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": _ref("Bill", bill), "TxnType": "Bill"}]}
                 for bill, amount in applied],
    })


_BILL_PAYMENTS = [
    # pays bill 75-3346 (114.09) in full
    _bill_payment("101", "PG&E", "2026-02-02", 114.09, [("75-3346", 114.09)]),
    # part of bill NL-1022 (380.00)
    _bill_payment("102", "Norton Lumber and Building Materials", "2026-03-10", 200.00, [("NL-1022", 200.00)]),
]

_PURCHASE_ORDERS = [
    ("PurchaseOrder", {
        "DocNumber": "1001", "VendorRef": _ref("Vendor", "Tania's Nursery"),
        "APAccountRef": _ref("Account", "Accounts Payable (A/P)"), "TxnDate": "2026-09-01",
        "POStatus": "Open", "POEmail": {"Address": "plantqueen@taniasnursery.com"},
        "ShipAddr": dict(_COMPANY_ADDR),
        "Memo": "Deliver to the Mountain View yard.",
        "Line": [
            _item_expense("Rock Fountain", 2, 125),
            _item_expense("Soil", 20, 6.5, "2 cubic ft. bag"),
        ],
    }),
]

_PURCHASES = [
    ("Purchase", {
        "PaymentType": "CreditCard", "AccountRef": _ref("Account", "Mastercard"),
        "EntityRef": _ref("Vendor", "Chin's Gas and Oil"), "TxnDate": "2026-03-02",
        "Line": [_expense("Fuel", 63.15, "Truck fuel")],
    }),
    ("Purchase", {
        "PaymentType": "Cash", "AccountRef": _ref("Account", "Checking"),
        "EntityRef": _ref("Vendor", "Squeaky Kleen Car Wash"), "TxnDate": "2026-05-20",
        "Line": [_expense("Automobile", 19.99, "Truck wash")],
    }),
]


def _je_line(posting, account, amount, description):
    return {"DetailType": "JournalEntryLineDetail", "Amount": amount, "Description": description,
            "JournalEntryLineDetail": {"PostingType": posting, "AccountRef": _ref("Account", account)}}


_JOURNAL_ENTRIES = [
    ("JournalEntry", {
        "DocNumber": "JE-1", "TxnDate": "2026-06-30", "PrivateNote": "Half-year adjustments",
        "Line": [
            _je_line("Debit", "Depreciation", 320.00, "Truck depreciation, H1"),
            _je_line("Credit", "Accumulated Depreciation", 320.00, "Truck depreciation, H1"),
            _je_line("Debit", "Insurance", 100.00, "Prepaid insurance used"),
            _je_line("Credit", "Prepaid Expenses", 100.00, "Prepaid insurance used"),
        ],
    }),
]

_DEPOSITS = [
    ("Deposit", {
        "DepositToAccountRef": _ref("Account", "Checking"), "TxnDate": "2026-05-15",
        "PrivateNote": "Interest and equipment resale",
        "Line": [
            {"DetailType": "DepositLineDetail", "Amount": 12.45, "Description": "Savings interest",
             "DepositLineDetail": {"AccountRef": _ref("Account", "Interest Earned")}},
            {"DetailType": "DepositLineDetail", "Amount": 250.00, "Description": "Sold old trailer",
             "DepositLineDetail": {"AccountRef": _ref("Account", "Miscellaneous Income"),
                                   "PaymentMethodRef": _ref("PaymentMethod", "Check"),
                                   "CheckNum": "3309"}},
        ],
    }),
]

_VENDOR_CREDITS = [
    ("VendorCredit", {
        "DocNumber": "VC-1001", "VendorRef": _ref("Vendor", "Tania's Nursery"),
        "APAccountRef": _ref("Account", "Accounts Payable (A/P)"), "TxnDate": "2026-09-12",
        "PrivateNote": "Returned damaged plants",
        "Line": [_expense("Job Materials Purchased", 45.00, "Returned damaged plants")],
    }),
]

# ------------------------------------------- estimates, refunds, transfers, card payments, time
_OTHER_DOCUMENTS = [
    ("Estimate", {"DocNumber": "1001", "CustomerRef": _ref("Customer", "Geeta Kalapatapu"), "TxnDate": "2026-10-12",
                  "ExpirationDate": "2026-11-11", "TxnStatus": "Pending",
                  "BillEmail": {"Address": "Geeta@Kalapatapu.com"},
                  "Line": [_sale("Design", 10, 75, description="Backyard redesign"),
                           _sale("Rock Fountain", 1, 275, taxable=True)]}),
    ("Estimate", {"DocNumber": "1002", "CustomerRef": _ref("Customer", "Paulsen Medical Supplies"),
                  "TxnDate": "2026-06-03", "TxnStatus": "Accepted",
                  "Line": [_sale("Gardening", 24, 30, description="Season maintenance plan")]}),
    ("RefundReceipt", {"DocNumber": "8001", "CustomerRef": _ref("Customer", "Pye's Cakes"), "TxnDate": "2026-05-19",
                       "DepositToAccountRef": _ref("Account", "Checking"),
                       "PaymentMethodRef": _ref("PaymentMethod", "Check"), "PaymentRefNum": "3321",
                       "Line": [_sale("Refunds & Allowances", 1, 87.5, description="Refund for a cancelled visit")]}),
    ("Transfer", {"FromAccountRef": _ref("Account", "Checking"), "ToAccountRef": _ref("Account", "Savings"),
                  "Amount": 500.00, "TxnDate": "2026-04-30", "PrivateNote": "Monthly savings"}),
    ("CreditCardPayment", {"CreditCardAccountRef": _ref("Account", "Mastercard"),
                           "BankAccountRef": _ref("Account", "Checking"), "Amount": 63.15,
                           "TxnDate": "2026-03-25", "PrivateNote": "Mastercard statement, March"}),
    ("TimeActivity", {"NameOf": "Employee", "EmployeeRef": _ref("Employee", "John Johnson"),
                      "CustomerRef": _ref("Customer", "Sonnenschein Family Store"), "ItemRef": _ref("Item", "Gardening"),
                      "TxnDate": "2026-10-14", "BillableStatus": "Billable", "HourlyRate": 45, "Hours": 3,
                      "Minutes": 30, "Description": "Hedge trimming and cleanup"}),
    ("TimeActivity", {"NameOf": "Employee", "EmployeeRef": _ref("Employee", "Emily Platt"),
                      "TxnDate": "2026-10-15", "BillableStatus": "NotBillable", "Hours": 2, "Minutes": 0,
                      "Description": "Office filing"}),
]

# ----------------------------------------------------- a year of trading (presets/history.py)
_SALES_MIX = [("Gardening", 30, False), ("Design", 75, False), ("Trimming", 35, False),
              ("Installation", 50, False), ("Pest Control", 35, False), ("Soil", 10, True),
              ("Sprinkler Pipes", 4, True), ("Pump", 15, True)]
_TRADING_CUSTOMERS = ["Amy's Bird Sanctuary", "Bill's Windsurf Shop", "Cool Cars", "Diego Rodriguez",
                      "Dylan Sollfrank", "Geeta Kalapatapu", "Gevelber Photography", "Jeff's Jalopies",
                      "John Melton", "Kate Whelan", "Mark Cho", "Paulsen Medical Supplies",
                      "Rago Travel Agency", "Rondonuwu Fruit and Vegi", "Sonnenschein Family Store",
                      "Travis Waldron", "Video Games by Dan", "Wedding Planning by Whitney"]
_TRADING_VENDORS = [("Cal Telephone", "Telephone"), ("Hall Properties", "Rent or Lease"),
                    ("Ellis Equipment Rental", "Equipment Rental"), ("Lee Advertising", "Advertising"),
                    ("Computers by Jenni", "Office Expenses"), ("Squeaky Kleen Car Wash", "Automobile"),
                    ("Tim Philip Masonry", "Job Materials Purchased"), ("Robertson & Associates", "Accounting"),
                    ("Chin's Gas and Oil", "Fuel")]


def _trading_lines(k):
    first, second = _SALES_MIX[k % len(_SALES_MIX)], _SALES_MIX[(k * 3 + 1) % len(_SALES_MIX)]
    lines = [_sale(first[0], 1 + k % 5, first[1], taxable=first[2])]
    if second[0] != first[0]:
        lines.append(_sale(second[0], 2 + k % 3, second[1], taxable=second[2]))
    return lines


def _trading_invoice(k, number, customer, date, due, lines):
    return ("Invoice", {"DocNumber": number, "CustomerRef": _ref("Customer", customer), "TxnDate": date,
                        "DueDate": due, "SalesTermRef": _ref("Term", "Net 30"), "EmailStatus": "NotSet",
                        "PrintStatus": "NotSet", "Line": lines})


def _trading_payment(k, customer, date, number, amount):
    return ("Payment", {"CustomerRef": _ref("Customer", customer), "TxnDate": date, "TotalAmt": amount,
                        "PaymentMethodRef": _ref("PaymentMethod", ("Check", "Visa", "Cash")[k % 3]),
                        "DepositToAccountRef": _ref("Account", "Undeposited Funds"),
                        "Line": [{"Amount": amount, "LinkedTxn": [
                            {"TxnId": _ref("Invoice", number), "TxnType": "Invoice"}]}]})


def _trading_bill(k, number, vendor, date, due, lines):
    return _bill(number, vendor[0], date, due, lines, term="Net 30")


def _trading_bill_lines(k):
    vendor = _TRADING_VENDORS[k % len(_TRADING_VENDORS)]
    return [_expense(vendor[1], round(45 + (k * 37) % 400 + (k % 7) * 0.25, 2))]


def _trading_bill_payment(k, vendor, date, number, amount):
    return ("BillPayment", {
        "DocNumber": "2%03d" % k, "VendorRef": _ref("Vendor", vendor[0]), "TxnDate": date, "PayType": "Check",
        "TotalAmt": amount, "APAccountRef": _ref("Account", "Accounts Payable (A/P)"),
        "CheckPayment": {"BankAccountRef": _ref("Account", "Checking"), "PrintStatus": "NotSet"},
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": _ref("Bill", number), "TxnType": "Bill"}]}]})


_TRADING = trading(first_invoice=1009, invoices=24, customers=_TRADING_CUSTOMERS, sale_lines=_trading_lines,
                   invoice=_trading_invoice, payment=_trading_payment, bills=17, vendors=_TRADING_VENDORS,
                   bill_lines=_trading_bill_lines, bill=_trading_bill, bill_payment=_trading_bill_payment)

RECORDS = (
    [_account(*row) for row in _ACCOUNTS]
    + _TERMS + _PAYMENT_METHODS + _CLASSES + _DEPARTMENTS
    + _TAX_AGENCIES + _TAX_RATES + _TAX_CODES
    + _CUSTOMERS + _VENDORS + _EMPLOYEES + _ITEMS
    + _INVOICES + _CREDIT_MEMOS + _PAYMENTS + _SALES_RECEIPTS
    + _BILLS + _BILL_PAYMENTS + _PURCHASE_ORDERS + _PURCHASES
    + _JOURNAL_ENTRIES + _DEPOSITS + _VENDOR_CREDITS + _OTHER_DOCUMENTS
    + _TRADING
)
