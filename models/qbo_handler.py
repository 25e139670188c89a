from odoo import api, fields, models, tools

from .. import qbo

# Send order: what others refer to goes first. One dependency level per batch.
LEVEL_LISTS = 1          # accounts and other lists
LEVEL_ITEMS = 5          # products
LEVEL_NAMES = 10         # customers and vendors
LEVEL_DOCUMENTS = 20     # invoices, credit memos, bills
LEVEL_SETTLEMENTS = 30   # payments, bill payments
# Endings go in the reverse order and after every push: a payment is voided, or updated to let go of an invoice,
# before the invoice is voided or deleted, as QuickBooks refuses to end a document a payment still uses.
ENDINGS_AFTER = 100


def batch_memo(env, key, compute):
    """``compute()`` once per batch being sent for ``key`` (the processor opens and closes the memo around each
    batch, see qbo.sync.job._qbo_send); outside a batch, every time. Mappings and links do not change while a batch
    is built, and a batch of invoices asks the same ones hundreds of times."""
    memo = env.cr.cache.get("qbo_batch_memo")
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


class QboHandler(models.AbstractModel):
    """Everything that differs between QuickBooks entities, for one entity.

    The outbox, the bulk actions, the initial import, the links and "View in
    QuickBooks" ask the handler of an entity instead of carrying tables of
    their own, the way account_edi asks its formats. A new entity is one model
    ``qbo.handler.<entity>`` inheriting this one, declaring the class
    attributes below and overriding what differs.
    """

    _name = "qbo.handler"
    _description = "QuickBooks Online entity handler"

    _qbo_entity = None             # QuickBooks' name of the entity, e.g. "Customer"
    _qbo_model = None              # the Odoo model bound to it
    _qbo_level = LEVEL_NAMES       # send order (see LEVEL_*)
    _qbo_ending = "deactivate"     # when the Odoo record is deleted: "deactivate", "delete", or None
    _qbo_app_page = None           # (page, id parameter) of the QuickBooks web app
    _qbo_push_flag = None          # connection field turning automatic pushes on; None: never automatic
    _qbo_watched_fields = frozenset()   # Odoo fields whose change is a change QuickBooks shows
    _qbo_create_only_fields = ()   # payload keys QuickBooks takes on create only
    _qbo_has_active = True         # a list entry with an Active flag (reads must ask for inactive rows too)
    _qbo_name_field = "Name"       # the unique name QuickBooks refuses twice (6240), if any
    _qbo_import_sequence = 0       # > 0: read by the initial import, in this order
    _qbo_bulk = False              # offered by the bulk action of its model's list
    _qbo_default_for_model = False  # the entity a record of the model goes as when none wants it
    _qbo_batchable = True          # sent through the batch endpoint; else one call per job (uploads)

    # ------------------------------------------------------------------ the registry
    @api.model
    def _qbo_all(self):
        """Every entity handler, in send order."""
        return [self.env[name] for name in self._qbo_handler_names()]

    @api.model
    @tools.ormcache()
    def _qbo_handler_names(self):
        # Asked at every save of a synced model: the registry is scanned once per registry.
        handlers = [self.env[name] for name in self.env.registry
                    if name.startswith("qbo.handler.") and self.env[name]._qbo_entity]
        return tuple(handler._name for handler in sorted(
            handlers, key=lambda handler: (handler._qbo_level, handler._qbo_entity)))

    @api.model
    def _qbo_get(self, entity, res_model=None):
        """The handler of ``entity`` (for ``res_model``, when several Odoo models are that entity)."""
        found = [handler for handler in self._qbo_all() if handler._qbo_entity == entity]
        if res_model:
            found = [handler for handler in found if handler._qbo_model == res_model] or found
        if not found:
            raise KeyError("no QuickBooks handler for %r" % entity)
        return found[0]

    @api.model
    def _qbo_of_model(self, model_name):
        return [handler for handler in self._qbo_all() if handler._qbo_model == model_name]

    @api.model
    def _qbo_entity_selection(self):
        return [(handler._qbo_entity, handler._description) for handler in self._qbo_all()]

    # ------------------------------------------------------------------ what goes, and when
    def _qbo_wants(self, records):
        """Which of ``records`` go to QuickBooks as this entity."""
        return records

    def _qbo_push_connections(self):
        """The connections that receive this entity's records automatically.

        Every company ever linked (it has a realm) with the push flag on, whether
        connected now or not: a change saved while disconnected waits in the
        queue and goes when the company connects again.
        """
        if not self._qbo_push_flag:
            return self.env["qbo.connection"]
        return self.env["qbo.connection"].sudo().search([("realm_id", "!=", False), (self._qbo_push_flag, "=", True)])

    def _qbo_records_for(self, connection, records):
        """Those of ``records`` that belong to ``connection``'s company."""
        if "company_id" not in records._fields:
            return records
        return records.filtered(lambda record: not record.company_id or record.company_id == connection.company_id)

    # ------------------------------------------------------------------ Odoo → QuickBooks
    def _qbo_dependencies(self, connection, record):
        """[(records, entity)] QuickBooks must have before ``record`` can be sent."""
        return []

    def _qbo_prepare_batch(self, connection, records):
        """See the batch's records together before their payloads are built (e.g. link existing objects)."""
        return None

    def _qbo_to_qbo(self, connection, record):
        """The QuickBooks JSON of ``record``; a UserError says what a person must fix first."""
        raise NotImplementedError

    def _qbo_ref(self, connection, records, entity):
        """``{"value": Id}`` of the QuickBooks ``entity`` of ``records`` (one record, its whole-document link),
        from the links the batch read together."""
        bindings = self.env["qbo.binding"]._qbo_bound(connection, records._name, entity, records.ids)[records.id]
        return {"value": bindings.filtered(lambda binding: not binding.part)[:1].qbo_id}

    def _qbo_end_item(self, binding, operation):
        """(batch item fields, payload) that end ``binding``'s QuickBooks object by ``operation`` (deactivate,
        void or delete)."""
        reference = {"Id": binding.qbo_id, "SyncToken": binding.sync_token}
        if operation == "deactivate":
            return {"operation": "update"}, dict(reference, sparse=True, Active=False)
        if operation == "delete":
            return {"operation": "delete"}, reference
        return {"operation": "update", "optionsData": "void"}, dict(reference, sparse=True)

    def _qbo_ending_priority(self):
        """The queue priority of this entity's endings (void, delete, deactivate): what refers to others ends first."""
        return ENDINGS_AFTER - self._qbo_level

    def _qbo_apply_ending(self, connection, job, obj):
        """QuickBooks ended the object: a voided document stays linked; a deleted or inactive one is let go."""
        if job.operation == "void":
            self._qbo_apply_result(connection, job, obj, False)
        else:
            job.binding_id.unlink()

    def _qbo_after_batch(self, connection, jobs):
        """After the results of this entity's ``jobs`` in one batch were applied (e.g. to write notes at once)."""
        return None

    def _qbo_check_before_send(self, connection, jobs, records):
        """Fail, before anything is sent, the ``jobs`` (this entity's, in one batch) QuickBooks would refuse
        or that would damage what it holds; ``records`` maps (model, id) to the batch's records."""
        return None

    def _qbo_send_direct(self, connection, job, record, payload):
        """For entities the batch endpoint cannot carry (``_qbo_batchable`` False): send one job, under its
        request id, and return the QuickBooks object."""
        raise NotImplementedError

    def _qbo_apply_result(self, connection, job, obj, digest):
        """QuickBooks accepted ``job``: remember the object it holds now."""
        job.binding_id.write({"qbo_id": obj.get("Id"), "sync_token": obj.get("SyncToken"), "payload_hash": digest,
                              "synced_at": fields.Datetime.now(), "state": "synced", "last_error": False})

    def _qbo_handle_faults(self, connection, failures):
        """Decide what each refused job of a batch does next; ``failures`` is [(job, error, payload)].

        Returns the dependency jobs queued on the way. Stale versions (5010) are
        re-read and sent again; missing or inactive references (2500, 610) are
        synced first; everything else fails with Intuit's words.
        """
        Job = self.env["qbo.sync.job"]
        stale, unresolved = Job.browse(), []
        for job, error, _payload in failures:
            code = str(error.get("code", ""))
            if code == "5010" and job.binding_id.qbo_id:
                stale |= job
            elif code in ("2500", "610"):
                unresolved.append((job, error))
            else:
                job._qbo_fail(code, error.get("Message", ""), error.get("Detail", ""))
        queued = Job.browse()
        if stale:
            stale._qbo_requeue_after_stale(connection, self)
        if unresolved:
            queued |= Job._qbo_resolve_missing_references(connection, unresolved)
        return queued

    def _qbo_read_current(self, connection, qbo_ids):
        """{Id: JSON} of the QuickBooks objects with these Ids, inactive ones included."""
        rows = connection._qbo_api().read_ids(self._qbo_entity, qbo_ids, with_inactive=self._qbo_has_active)
        return {row["Id"]: row for row in rows}

    # ------------------------------------------------------------------ QuickBooks → Odoo
    def _qbo_from_qbo(self, connection, data):
        """Odoo values for a record made from the QuickBooks JSON ``data``."""
        raise NotImplementedError

    def _qbo_import_where(self):
        """(WHERE, ORDERBY) of the initial import's query. Inactive rows are read too (and skipped or archived)
        so a record deactivated between two pages never shifts the positions; ordered by Id, records created
        meanwhile come at the end."""
        return ("Active IN (true, false)" if self._qbo_has_active else ""), "Id"

    def _qbo_import_rows(self, run, step, rows):
        """Link or create the Odoo records of one page of the initial import."""
        raise NotImplementedError

    # ------------------------------------------------------------------ people
    def _qbo_app_url(self, connection, qbo_id):
        """The object's page in the QuickBooks web app (or the emulator's page for it)."""
        connection = connection.sudo()
        if not (self._qbo_app_page and qbo_id and connection.realm_id):
            return False
        endpoints = qbo.endpoints_for(connection.environment, connection.emulator_url or "")
        page, parameter = self._qbo_app_page
        return "%s%s?%s=%s&realm=%s" % (endpoints.app_base, page, parameter, qbo_id, connection.realm_id)
