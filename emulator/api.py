"""The Accounting API v3 under ``/v3/company/<realm>/``: routing and envelopes.

Request handling order mirrors Intuit's gateway: injected faults, then the
Bearer token, then the throttle, then the ``requestid`` replay cache, then
the operation itself under the company's lock.
"""
import base64
import copy
import json
import secrets
import threading
import time

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wrappers import Response

from . import faults, query as qbo_query
from .clock import qbo_timestamp, parse_timestamp
from .entities import BY_ENDPOINT, ENTITIES, CDC_UNSUPPORTED, by_name

# Entity names the query language knows, lower-cased, with the JSON names some clients use.
QUERYABLE = dict({name.lower(): name for name in ENTITIES},
                 **{alias: etype.name for alias, etype in BY_ENDPOINT.items()})
CDC_WINDOW = 30 * 86400
CDC_MAX = 1000

_local = threading.local()


def connection_fate():
    """What the request handler must do with the connection: None, 'reset' or 'lost'."""
    return getattr(_local, "fate", None)


def set_connection_fate(fate):
    _local.fate = fate


def add_injected_delay(seconds):
    """Sleep ``seconds`` as Intuit's servers would; the server-time figures leave it out."""
    time.sleep(seconds)
    _local.injected = getattr(_local, "injected", 0.0) + seconds


def take_injected_delay():
    seconds = getattr(_local, "injected", 0.0)
    _local.injected = 0.0
    return seconds


class Api:
    def __init__(self, emulator):
        self.emu = emulator

    # ------------------------------------------------------------ envelope
    def _reply(self, payload, status=200, realm=None):
        body = json.dumps(payload, separators=(",", ":"))
        response = Response(body, status=status, mimetype="application/json")
        response.headers["intuit_tid"] = secrets.token_hex(16)
        response.headers["QBO-Version"] = "1979.1"
        return response

    def _fault(self, fault):
        return self._reply(fault.body(self.emu.clock.now()), fault.status)

    def _gateway(self, status, code, text, fault_type):
        body = faults.gateway_body(code, text, status, fault_type, self.emu.clock.now())
        return self._reply(body, status)

    def _throttled(self):
        shape = self.emu.limits.throttle_shape
        if shape == "xml":
            stamp = qbo_timestamp(self.emu.clock.now(), -420)
            return Response(faults.THROTTLE_XML % stamp, status=429, mimetype="application/xml")
        if shape == "Fault":
            fault = faults.QBOFault(3001, "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                                    "The request limit was reached.  Try again later",
                                    status=429, fault_type="SERVICE")
            return self._fault(fault)
        return self._gateway(429, 3001, "ThrottleExceeded", "SERVICE")

    # ------------------------------------------------------------ entry
    def handle(self, request, realm_id, rest):
        parts = [p for p in rest.split("/") if p]
        resource = parts[0].lower() if parts else ""
        if resource == "taxservice":
            resource = "taxservice/taxcode"
        self.emu.count(realm_id, "%s %s" % (request.method, resource))
        fate = self.emu.faults.decide(resource)
        if fate:
            if fate.startswith("fail:"):
                status = int(fate[5:])
                return self._gateway(status, 3100 if status != 503 else 10000, "InternalServerError"
                                     if status != 503 else "ServiceUnavailable", "SERVICE")
            if fate == "error":
                return self._gateway(500, 3100, "InternalServerError", "SERVICE")
            if fate == "unavailable":
                return self._gateway(503, 10000, "ServiceUnavailable", "SERVICE")
            if fate == "reset":
                set_connection_fate("reset")
                return Response("", status=500)
        grant = self.emu.oauth.grant_for_bearer(request)
        if grant is None:
            return self._gateway(401, 3200, "AuthenticationFailed", "AUTHENTICATION")
        realm = self.emu.store.realm(realm_id)
        if grant["realm_id"] != realm_id or realm is None:
            return self._gateway(403, 3100, "ApplicationAuthorizationFailed", "AUTHORIZATION")
        refused = self.emu.throttle.enter(realm_id, resource == "batch")
        if refused:
            self.emu.count(realm_id, "throttled")
            return self._throttled()
        try:
            response = self._replayable(request, realm, resource, parts)
            if fate and fate.startswith("slow:"):
                time.sleep(float(fate[5:]))   # a slow answer still holds its concurrency slot
            latency = self.emu.settings.latency
            if latency.enabled:
                self._wait_like_intuit(latency, request, resource)
        finally:
            self.emu.throttle.leave(realm_id)
        if fate == "lost":
            set_connection_fate("reset")
        return response

    @staticmethod
    def _wait_like_intuit(latency, request, resource):
        delay = latency.call_ms
        if resource == "reports":
            delay += latency.report_ms
        elif resource == "batch":
            try:
                items = json.loads(request.get_data(as_text=True) or "{}").get("BatchItemRequest") or []
            except (ValueError, AttributeError):
                items = []
            delay += latency.batch_item_ms * len(items)
        add_injected_delay(delay / 1000.0)

    def _replayable(self, request, realm, resource, parts):
        request_id = request.args.get("requestid")
        if not request_id:
            return self._execute(request, realm, resource, parts)
        limit = 36 if resource == "batch" else 50
        if len(request_id) > limit:
            return self._fault(faults.QBOFault(
                2050, "Invalid String Length", "requestid is longer than %d characters" % limit,
                element="requestid"))
        with realm.lock:
            cached = realm.replies.get(request_id)
            if cached:
                self.emu.count(realm.realm_id, "replayed")
                status, body = cached
                return self._raw(body, status)
            response = self._execute(request, realm, resource, parts)
            if response.status_code < 500 and response.mimetype == "application/json":
                realm.replies[request_id] = (response.status_code, response.get_data())
                while len(realm.replies) > self.emu.replay_capacity:
                    realm.replies.popitem(last=False)
            return response

    def _raw(self, body, status):
        response = Response(body, status=status, mimetype="application/json")
        response.headers["intuit_tid"] = secrets.token_hex(16)
        return response

    def _execute(self, request, realm, resource, parts):
        company = self.emu.company(realm)
        try:
            payload = self._route(request, company, resource, parts)
        except faults.QBOFault as fault:
            return self._fault(fault)
        if isinstance(payload, Response):
            return payload
        payload["time"] = company.now_iso()
        return self._reply(payload)

    # ------------------------------------------------------------ routing
    def _route(self, request, company, resource, parts):
        method = request.method
        if resource == "query":
            sql = request.args.get("query") if method == "GET" else request.get_data(as_text=True)
            return self.query(company, sql or "")
        if resource == "batch" and method == "POST":
            return self.batch(company, self._json_body(request))
        if resource == "cdc" and method == "GET":
            return self.cdc(company, request.args.get("entities", ""), request.args.get("changedSince", ""))
        if resource == "upload" and method == "POST":
            return self.upload(company, request)
        if resource == "taxservice/taxcode" and method == "POST":
            return self.tax_service(company, self._json_body(request))
        if resource == "companyinfo":
            if method == "GET":
                return {"CompanyInfo": company.info}
            return {"CompanyInfo": company.update(ENTITIES["CompanyInfo"], self._entity_body(
                request, ENTITIES["CompanyInfo"]))}
        if resource == "preferences":
            if method == "GET":
                return {"Preferences": company.preferences}
            return {"Preferences": self.update_preferences(company, self._json_body(request))}
        if resource == "exchangerate":
            return self.exchange_rate(company, request, method)
        if resource == "reports":
            raise faults.unsupported_operation("Reports")
        etype = by_name(resource)
        if resource == "download":
            etype = ENTITIES["Attachable"]
        if etype is None or etype.kind == "singleton":
            raise faults.QBOFault(500, "Unsupported Operation",
                                  "Operation %s %s is not supported." % (method, resource), status=400)
        if resource == "download" and method == "GET" and len(parts) == 2:
            return self.download(company, parts[1])
        if method == "GET" and len(parts) == 2:
            return {etype.key: self._with_link(company, etype, company.get(etype, parts[1]), request.args)}
        if method == "GET" and len(parts) == 3 and parts[2] == "pdf":
            return self.pdf(company, etype, parts[1])
        if method == "POST" and len(parts) == 3 and parts[2] == "send":
            return {etype.key: company.send(etype, parts[1], request.args.get("sendTo"))}
        if method == "POST" and len(parts) == 1:
            return {etype.key: self._with_link(company, etype, self.write(
                company, etype, self._entity_body(request, etype), request.args.get("operation"), request.args),
                request.args)}
        raise faults.QBOFault(500, "Unsupported Operation",
                              "Operation %s %s is not supported." % (method, "/".join(parts)), status=400)

    def _with_link(self, company, etype, obj, args):
        """``include=invoiceLink``: the customer's pay-online link, when QuickBooks would give one."""
        if etype.name != "Invoice" or "invoicelink" not in (args.get("include") or "").lower():
            return obj
        if not company.invoice_link(obj):
            return obj
        return dict(obj, InvoiceLink="%sapp/invoice?txnId=%s&realm=%s" % (
            self.emu.public_url(), obj["Id"], company.realm.realm_id))

    def _json_body(self, request):
        try:
            return json.loads(request.get_data(as_text=True) or "{}")
        except ValueError as error:
            raise faults.QBOFault(2010, "Request has invalid or unsupported property",
                                  "Error parsing the JSON request body: %s" % error)

    def _entity_body(self, request, etype):
        body = self._json_body(request)
        if isinstance(body, dict) and len(body) == 1 and etype.name in body:
            body = body[etype.name]  # the wrapped form some clients send
        if not isinstance(body, dict):
            raise faults.QBOFault(2010, "Request has invalid or unsupported property",
                                  "The request body must be a JSON object")
        return body

    def write(self, company, etype, body, operation, args):
        operation = (operation or "").lower()
        include = (args.get("include") or "").lower()
        if etype.kind == "recurring":
            return company.recurring(body, operation)
        if operation == "delete":
            return company.delete(etype, body)
        if operation == "void" or (operation == "update" and include == "void"):
            if etype.void_style == "void" and operation != "void" or \
                    etype.void_style == "update" and operation != "update":
                raise faults.unsupported_operation("%s on %s" % (operation or "void", etype.name))
            return company.void(etype, body)
        if body.get("Id") not in (None, "", "0", 0) and int(str(body["Id"]) or 0) > 0:
            return company.update(etype, body, args)
        return company.create(etype, body, args)

    # ------------------------------------------------------------ query
    def query(self, company, sql):
        parsed = qbo_query.parse(sql, QUERYABLE)
        rows = self._rows(company, parsed)
        offset = company.realm.utc_offset_minutes
        if parsed.is_count:
            return {"QueryResponse": {"totalCount": qbo_query.count(parsed, rows, offset)}}
        if parsed.entity == "RecurringTransaction":
            # The query runs over the templates; the answer wraps each in its type, as Intuit's.
            wrappers = {next(iter(w.values()))["Id"]: w for w in rows}
            found = [wrappers[obj["Id"]] for obj in qbo_query.execute(
                parsed, [next(iter(w.values())) for w in rows], offset)]
        elif parsed.entity == "TaxCode" and company.us:
            found = self._tax_code_page(parsed, rows, offset)
        else:
            found = qbo_query.execute(parsed, rows, offset)
        if not found:
            return {"QueryResponse": {}}
        return {"QueryResponse": {ENTITIES[parsed.entity].key: found, "startPosition": parsed.start_position,
                                  "maxResults": len(found)}}

    @staticmethod
    def _tax_code_page(parsed, rows, offset):
        """A US company lists its line codes TAX, NON and CustomSalesTax first, on top of MAXRESULTS.

        Intuit's TaxCode reference sample answers ``select * From TaxCode`` with them
        ahead of the real codes; their Id is their Name.
        """
        system = [row for row in rows if not str(row.get("Id", "")).isdigit()]
        found = qbo_query.execute(parsed, [row for row in rows if str(row.get("Id", "")).isdigit()], offset)
        if parsed.start_position == 1:
            found = [row for row in system if parsed.matches(row, offset)] + found
        return found

    def _rows(self, company, parsed):
        entity = parsed.entity
        if entity == "ExchangeRate":
            return self._exchange_rate_rows(company, parsed)
        if company.hidden:
            return [obj for obj_id, obj in company.data[entity].items() if company._visible(entity, obj_id)]
        return list(company.data[entity].values())

    def _exchange_rate_rows(self, company, parsed):
        """The stored rates, plus QuickBooks' rate of each currency for a date the query names."""
        rows = list(company.realm.exchange_rates)
        dates = {str(c.value)[:10] for c in parsed.conditions if c.field.lower() == "asofdate" and c.op == "="}
        if not dates:
            return rows
        home, stamp = company.home_currency, company.now_iso()
        codes = [c["Code"] for c in company.data["CompanyCurrency"].values()
                 if c.get("Active", True) and c.get("Code") != home]
        for date in sorted(dates):
            for code in codes:
                if not any(r["SourceCurrencyCode"] == code and r.get("AsOfDate") == date for r in rows):
                    rows.append({"SourceCurrencyCode": code, "TargetCurrencyCode": home, "AsOfDate": date,
                                 "Rate": company.stored_rate(code, date), "SyncToken": "0",
                                 "MetaData": {"LastUpdatedTime": stamp}})
        return rows

    # ------------------------------------------------------------ batch
    def batch(self, company, body):
        items = body.get("BatchItemRequest") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise faults.required_param("BatchItemRequest")
        if len(items) > self.emu.limits.batch_max_items:
            raise faults.QBOFault(1040, "Batch size exceeds allowed limit",
                                  "A batch can carry at most %d items; this one has %d."
                                  % (self.emu.limits.batch_max_items, len(items)))
        seen, answers = set(), []
        # Intuit runs the items in order but independently: no item sees what another created,
        # and each answer shows the object as its own item left it.
        company.hidden = set()
        try:
            for item in items:
                bid = str(item.get("bId", ""))
                answer = {"bId": bid}
                try:
                    if not bid:
                        raise faults.required_param("bId")
                    if bid in seen:
                        raise faults.QBOFault(2030, "Invalid ID", "Duplicate bId %s in the batch" % bid,
                                              element="bId")
                    seen.add(bid)
                    result, created = self._batch_item(company, item)
                    answer.update(copy.deepcopy(result))
                    if created:
                        company.hidden.add(created)
                except faults.QBOFault as fault:
                    answer["Fault"] = fault.fault()
                answers.append(answer)
        finally:
            company.hidden = None
        return {"BatchItemResponse": answers}

    def _batch_item(self, company, item):
        """(answer, (entity, Id) of the object it created or None) of one batch item."""
        if "Query" in item:
            return self.query(company, item["Query"]), None
        operation = (item.get("operation") or "").lower()
        names = [key for key in item if key not in ("bId", "operation", "optionsData") and by_name(key)]
        if len(names) != 1:
            raise faults.required_param("Entity")
        etype = by_name(names[0])
        body = item[names[0]]
        if operation not in ("create", "update", "delete"):
            raise faults.QBOFault(2170, "Invalid Enumeration", "Invalid operation: %s" % operation,
                                  element="operation")
        if etype.kind == "singleton" or (etype.kind == "readonly"):
            raise faults.unsupported_operation("%s on %s" % (operation, etype.name))
        options = (item.get("optionsData") or "").lower()
        if etype.kind == "recurring":
            result = company.recurring(body, operation)
            created = (etype.name, next(iter(result.values()))["Id"]) if operation == "create" else None
            return {etype.key: result}, created
        if operation == "delete":
            result = company.delete(etype, body)
        elif operation == "update" and options == "void":
            result = company.void(etype, body)
        elif operation == "update":
            result = company.update(etype, body)
        else:
            if body.get("Id") not in (None, "", "0", 0):
                raise faults.QBOFault(2010, "Request has invalid or unsupported property",
                                      "Id must not be given on create", element="Id")
            result = company.create(etype, body)
            return {etype.key: result}, (etype.name, result["Id"])
        return {etype.key: result}, None

    # ------------------------------------------------------------ CDC
    def cdc(self, company, entity_list, changed_since):
        if not entity_list:
            raise faults.required_param("entities")
        if not changed_since:
            raise faults.required_param("changedSince")
        try:
            since = parse_timestamp(changed_since, company.realm.utc_offset_minutes)
        except ValueError:
            raise faults.QBOFault(2010, "Request has invalid or unsupported property",
                                  "changedSince is not a date or datetime: %s" % changed_since,
                                  element="changedSince")
        if since < self.emu.clock.now() - CDC_WINDOW:
            raise faults.QBOFault(4001, "Invalid query",
                                  "QueryValidationError: changedSince must be within the last 30 days",
                                  element="changedSince")
        names = []
        for raw in entity_list.split(","):
            etype = by_name(raw.strip())
            if etype is None or etype.name in CDC_UNSUPPORTED or not etype.cdc:
                raise faults.QBOFault(4001, "Invalid query",
                                      "QueryValidationError: Change data capture is not supported for %s"
                                      % raw.strip(), element="entities")
            names.append(etype.name)
        budget, groups = CDC_MAX, []
        for name in names:
            live = [o for o in company.data[name].values()
                    if parse_timestamp(o["MetaData"]["LastUpdatedTime"]) >= since]
            live.sort(key=lambda o: o["MetaData"]["LastUpdatedTime"])
            dead = [{"status": "Deleted", "domain": "QBO", "Id": obj_id,
                     "MetaData": {"LastUpdatedTime": stamp}}
                    for obj_id, (epoch, stamp) in sorted(company.realm.tombstones[name].items(),
                                                         key=lambda kv: kv[1][0])
                    if epoch >= since]
            rows = (live + dead)[:budget]
            budget -= len(rows)
            if rows:
                groups.append({ENTITIES[name].key: rows, "startPosition": 1, "maxResults": len(rows),
                               "totalCount": len(rows)})
            if budget <= 0:
                break
        return {"CDCResponse": [{"QueryResponse": groups or [{}]}]}

    # ------------------------------------------------------------ attachments
    def upload(self, company, request):
        """``POST /upload``: pairs of ``file_metadata_NN`` (Attachable JSON) and ``file_content_NN`` parts.

        Parts are read with werkzeug's multipart decoder, byte for byte: a
        ``Content-Transfer-Encoding: base64`` part (python-quickbooks) is decoded,
        any other is stored exactly as sent; CRLF or LF line breaks both work.
        """
        mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
        boundary = options.get("boundary")
        if not mimetype.startswith("multipart/") or not boundary:
            raise faults.QBOFault(2010, "Request has invalid or unsupported property",
                                  "Upload needs a multipart/form-data body")
        metas, files = {}, {}
        for name, headers, filename, data in _multipart_parts(request.get_data(), boundary):
            suffix = name.rsplit("_", 1)[-1]
            if name.startswith("file_metadata"):
                try:
                    metas[suffix] = json.loads(data.decode("utf-8"))
                except ValueError:
                    raise faults.QBOFault(6040, "Invalid Attachable metadata",
                                          "The file_metadata part is not an Attachable JSON object.")
            elif name.startswith("file_content"):
                if headers.get("Content-Transfer-Encoding", "").strip().lower() == "base64":
                    try:
                        data = base64.b64decode(b"".join(data.split()), validate=True)
                    except ValueError:
                        raise faults.QBOFault(6041, "Invalid file", "The base64 file content does not decode.")
                files[suffix] = (data, headers.get("Content-Type", "application/octet-stream"), filename)
        etype = ENTITIES["Attachable"]
        answers = []
        for suffix, (data, ctype, filename) in sorted(files.items()):
            meta = dict(metas.get(suffix, {}))
            meta.setdefault("ContentType", ctype)
            meta.setdefault("FileName", filename or "attachment")
            try:
                attachable = company.create(etype, meta)
                realm_id, obj_id = company.realm.realm_id, attachable["Id"]
                company.realm.files[obj_id] = base64.b64encode(data).decode("ascii")
                attachable["Size"] = len(data)
                attachable["FileAccessUri"] = "/v3/company/%s/download/%s" % (realm_id, obj_id)
                attachable["TempDownloadUri"] = "%s_emulator/files/%s/%s" % (self.emu.public_url(), realm_id, obj_id)
                answers.append({"Attachable": copy.deepcopy(attachable)})
            except faults.QBOFault as fault:
                answers.append({"Fault": fault.fault()})
        if not answers:
            raise faults.required_param("file_content_01")
        return {"AttachableResponse": answers}

    def download(self, company, obj_id):
        """``GET /download/{id}``: as at Intuit, the answer is a temporary URL of the file, as text."""
        attachable = company.get(ENTITIES["Attachable"], obj_id)
        if obj_id not in company.realm.files:
            raise faults.object_not_found("Attachable file", obj_id)
        url = attachable.get("TempDownloadUri") or "%s_emulator/files/%s/%s" % (
            self.emu.public_url(), company.realm.realm_id, obj_id)
        return Response(url, mimetype="text/plain")

    # ------------------------------------------------------------ the rest
    def pdf(self, company, etype, obj_id):
        obj = company.get(etype, obj_id)
        lines = ["%s %s" % (etype.name, obj.get("DocNumber") or obj["Id"]),
                 company.info.get("CompanyName", ""),
                 "Customer: %s" % (obj.get("CustomerRef") or {}).get("name", ""),
                 "Date: %s" % obj.get("TxnDate", ""),
                 "Total: %.2f %s" % (obj.get("TotalAmt", 0.0), (obj.get("CurrencyRef") or {}).get("value", ""))]
        return Response(simple_pdf(lines), mimetype="application/pdf")

    def update_preferences(self, company, body):
        current = company.preferences
        wanted = body.get("CurrencyPrefs", {}).get("MultiCurrencyEnabled")
        have = current.get("CurrencyPrefs", {}).get("MultiCurrencyEnabled", False)
        if wanted is not None and bool(wanted) != bool(have):
            raise faults.business_validation("Multicurrency can only be turned on in QuickBooks, "
                                             "and never turned off.")
        return company.update(ENTITIES["Preferences"], dict(body, Id="1"), sparse=True)

    def exchange_rate(self, company, request, method):
        home = company.home_currency
        if method == "GET":
            code = request.args.get("sourcecurrencycode") or request.args.get("sourceCurrencyCode")
            if not code:
                raise faults.required_param("sourcecurrencycode")
            date = request.args.get("asofdate") or company.today()
            rate = company.stored_rate(code, date)
            return {"ExchangeRate": {"SourceCurrencyCode": code, "TargetCurrencyCode": home,
                                     "Rate": rate, "AsOfDate": date}}
        body = self._json_body(request)
        for field in ("SourceCurrencyCode", "Rate", "AsOfDate"):
            if not body.get(field):
                raise faults.required_param(field)
        if body["SourceCurrencyCode"] == home:
            raise faults.business_validation("You can't set an exchange rate for the home currency.")
        with company.realm.lock:
            rates = company.realm.exchange_rates
            found = next((r for r in rates if r["SourceCurrencyCode"] == body["SourceCurrencyCode"]
                          and r["AsOfDate"] == body["AsOfDate"]), None)
            if found is None:
                found = {"SourceCurrencyCode": body["SourceCurrencyCode"], "TargetCurrencyCode": home,
                         "AsOfDate": body["AsOfDate"], "SyncToken": "-1"}
                rates.append(found)
            found["Rate"] = float(body["Rate"])
            found["SyncToken"] = str(int(found["SyncToken"]) + 1)
            found["MetaData"] = {"LastUpdatedTime": company.now_iso()}
        return {"ExchangeRate": found}

    def tax_service(self, company, body):
        name = body.get("TaxCode")
        details = body.get("TaxRateDetails") or []
        if not name:
            raise faults.required_param("TaxCode")
        if not details:
            raise faults.required_param("TaxRateDetails")
        out, sales, purchase = [], [], []
        with company.realm.lock:
            for detail in details:
                if detail.get("TaxRateId"):
                    rate = company.get(ENTITIES["TaxRate"], detail["TaxRateId"])
                else:
                    for field in ("TaxRateName", "RateValue", "TaxAgencyId"):
                        if detail.get(field) in (None, ""):
                            raise faults.required_param(field)
                    rate = company.create(ENTITIES["TaxRate"], {
                        "Name": detail["TaxRateName"], "RateValue": float(detail["RateValue"]),
                        "AgencyRef": {"value": str(detail["TaxAgencyId"])}, "Active": True,
                        "SpecialTaxType": "NONE", "DisplayType": "ReadOnly"}, loading=True)
                applicable = detail.get("TaxApplicableOn", "Sales")
                entry = {"TaxRateRef": {"value": rate["Id"], "name": rate["Name"]},
                         "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0}
                (purchase if applicable == "Purchase" else sales).append(entry)
                out.append({"TaxRateName": rate["Name"], "TaxRateId": rate["Id"],
                            "RateValue": rate.get("RateValue"), "TaxAgencyId": rate["AgencyRef"]["value"],
                            "TaxApplicableOn": applicable})
            code = company.create(ENTITIES["TaxCode"], {
                "Name": name, "Active": True, "Taxable": True, "TaxGroup": len(details) > 1,
                "SalesTaxRateList": {"TaxRateDetail": sales},
                "PurchaseTaxRateList": {"TaxRateDetail": purchase}}, loading=True)
        return {"TaxCode": name, "TaxCodeId": code["Id"], "TaxRateDetails": out}


def _multipart_parts(body, boundary):
    """[(name, headers, filename, bytes)] of a multipart body, through werkzeug's decoder."""
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    decoder.receive_data(body)
    decoder.receive_data(None)
    parts = []
    while True:
        event = decoder.next_event()
        if isinstance(event, (Field, File)):
            parts.append([event.name, event.headers, getattr(event, "filename", "") or "", bytearray()])
        elif isinstance(event, Data) and parts:
            parts[-1][3] += event.data
        elif isinstance(event, (Epilogue, NeedData)):
            break
    return [(name, headers, filename, bytes(data)) for name, headers, filename, data in parts]


def simple_pdf(lines):
    """A one-page PDF with the given text lines: enough for a viewer and a test."""
    text = "BT /F1 14 Tf 72 760 Td 18 TL " + " ".join(
        "(%s) '" % line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out.encode("latin-1")))
        out += "%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out.encode("latin-1"))
    out += "xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += "".join("%010d 00000 n \n" % offset for offset in offsets)
    out += "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out.encode("latin-1", "replace")
