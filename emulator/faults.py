"""QBO fault shapes and the typed exception the emulator raises to produce them.

Validation and business faults use the capitalised ``Fault`` envelope with HTTP
400; gateway faults (authentication, authorization, throttling) use the
lowercase ``fault`` envelope real clients report (python-quickbooks issues #106,
#118), unless the throttle shape is configured otherwise.
"""
from .clock import qbo_timestamp


class QBOFault(Exception):
    """A fault the API answers with instead of a result."""

    def __init__(self, code, message, detail="", element="", status=400,
                 fault_type="ValidationFault"):
        super().__init__("%s %s: %s" % (code, message, detail))
        self.code = str(code)
        self.message = message
        self.detail = detail
        self.element = element
        self.status = status
        self.fault_type = fault_type

    def error(self):
        return {"Message": self.message, "Detail": self.detail,
                "code": self.code, "element": self.element}

    def fault(self):
        return {"Error": [self.error()], "type": self.fault_type}

    def body(self, now=None):
        return {"Fault": self.fault(), "time": qbo_timestamp(now)}


def gateway_body(code, text, status, fault_type, now=None):
    """The lowercase envelope Intuit's gateway uses for 401/403/429/5xx."""
    return {
        "warnings": None, "intuitObject": None,
        "fault": {"error": [{
            "message": "message=%s; errorCode=%06d; statusCode=%d" % (text, int(code), status),
            "detail": None, "code": str(code), "element": None,
        }], "type": fault_type},
        "report": None, "queryResponse": None, "batchItemResponse": [],
        "attachableResponse": [], "syncErrorResponse": None, "requestId": None,
        "time": int((now or 0) * 1000), "status": None, "cdcresponse": [],
    }


THROTTLE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<IntuitResponse time="%s" xmlns="http://schema.intuit.com/finance/v3">'
    '<Fault type="SERVICE"><Error code="3001">'
    '<Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>'
    '<Detail>The request limit was reached.  Try again later</Detail>'
    '</Error></Fault></IntuitResponse>'
)


# Constructors for the faults the rules raise, so every caller words them alike.

def required_param(name):
    return QBOFault(2020, "Required param missing, need to supply the required value for the API",
                    "Required parameter %s is missing in the request" % name, element=name)


def invalid_reference(entity, ref_id, element=""):
    return QBOFault(2500, "Invalid Reference Id",
                    "Invalid Reference Id : %s assigned is not valid: %s" % (entity, ref_id),
                    element=element)


def inactive_reference(entity, ref_id, element=""):
    return QBOFault(610, "Object Not Found",
                    "Object Not Found : Something you're trying to use has been made inactive. "
                    "Check the fields with accounts, customers, items, vendors or employees. "
                    "(%s %s)" % (entity, ref_id), element=element)


def object_not_found(entity, obj_id):
    return QBOFault(610, "Object Not Found",
                    "Object Not Found : Another user has deleted this transaction. (%s %s)"
                    % (entity, obj_id))


def stale_object():
    return QBOFault(5010, "Stale Object Error",
                    "Stale Object Error : You and Emulator User were working on this at the same time. "
                    "Emulator User finished before you did, so your work was not saved.")


def duplicate_name():
    return QBOFault(6240, "Duplicate Name Exists Error",
                    "The name supplied already exists. : Another customer, vendor or employee is "
                    "already using this name. Please use a different name.")


def duplicate_doc_number(doc_number, txn_type, txn_id):
    return QBOFault(6140, "Duplicate Document Number Error",
                    "Duplicate Document Number Error : You must specify a different number. "
                    "This number has already been used. DocNumber=%s is assigned to TxnType=%s "
                    "with TxnId=%s" % (doc_number, txn_type, txn_id))


def period_closed():
    return QBOFault(6210, "Account Period Closed",
                    "The account period has closed and the account books cannot be updated "
                    "through the QBO Services API. Please use the QBO website to make these changes.")


def invalid_line_tax_code(value):
    return QBOFault(6100, "Invalid Line TaxCode in the request",
                    "Valid Line TaxCodes for US should be TAX or NON. Supplied value:%s" % value)


def amount_mismatch(value):
    return QBOFault(6070, "Amount calculation incorrect in the request",
                    "Amount is not equal to Qty * UnitPrice. Supplied value:%s" % value)


def business_validation(text):
    return QBOFault(6000, "A business validation error has occurred while processing your request",
                    "Business Validation Error: %s" % text)


def query_parse(text):
    return QBOFault(4000, "Error parsing query", "QueryParserError: %s" % text)


def query_validation(text):
    return QBOFault(4001, "Invalid query", "QueryValidationError: %s" % text)


def unsupported_operation(text):
    return QBOFault(500, "Unsupported Operation", "Operation %s is not supported." % text)
