import hashlib
import json

from odoo import _, api, models
from odoo.exceptions import UserError

from .. import qbo
from .qbo_handler import batch_memo
from .qbo_sync_job import MAX_WAITS


def _stable_key(parts):
    """A request id that is the same whenever the same parts (job request ids, the body) are sent."""
    return hashlib.sha256("|".join(sorted(parts)).encode()).hexdigest()[:32]


class QboSyncJob(models.Model):
    """One claimed batch: its bindings and records, what it depends on, its payloads, the batch call, and each
    answer applied (refusals go to the handlers' fault decisions)."""

    _inherit = "qbo.sync.job"

    def _qbo_send(self, connection, batch):
        """Send one claimed batch. Returns (dependency jobs it queued, whether to go on now)."""
        self.env.cr.cache["qbo_batch_memo"] = {}
        try:
            return self._qbo_send_batch(connection, batch)
        finally:
            self.env.cr.cache.pop("qbo_batch_memo", None)

    def _qbo_send_batch(self, connection, batch):
        self._qbo_attach_bindings(connection, batch)
        records = self._qbo_records_of(batch)
        try:
            queued = self._qbo_prepare_records(connection, batch, records)
        except qbo.QboError as error:
            # A read before sending failed: nothing goes unchecked. A first send is claimed afresh later; a
            # resend keeps its key, as Intuit may have taken it the first time.
            held = batch.filtered(lambda job: job.state == "running")
            if batch.env.context.get("qbo_resend"):
                held._qbo_retry_or_fail(error)
            else:
                held._qbo_defer(error)
            return self.browse(), not error.retryable
        self._qbo_prefetch_dependencies(connection, batch, records)
        items, sent, direct = [], {}, []
        for job in batch:
            record = records.get((job.res_model, job.res_id))
            item, dependencies = job._qbo_batch_item(connection, record)
            queued |= dependencies
            if item is None:
                continue
            if not self.env["qbo.handler"]._qbo_get(job.qbo_entity, job.res_model)._qbo_batchable:
                direct.append((job, record, item))
                continue
            sent[str(job.id)] = (item[job.qbo_entity], item.pop("digest"))
            items.append(item)
        for job, record, item in direct:
            self._qbo_send_one(connection, job, record, item)
        if not items:
            return queued, True
        if batch.env.context.get("qbo_volatile_claim"):
            # Nothing was committed: should this request die after Intuit accepted, the same jobs sending the
            # same body again get the same key and are answered from memory instead of executed twice.
            body = json.dumps({"BatchItemRequest": items}, sort_keys=True)
            batch.write({"batch_key": _stable_key(batch.env.context["qbo_volatile_claim"] + [body])})
        try:
            answer = connection._qbo_api().batch(items, batch[0].batch_key)
        except qbo.QboError as error:
            batch.filtered(lambda job: job.state == "running")._qbo_retry_or_fail(error)
            return queued, not error.retryable
        queued |= self._qbo_apply(connection, batch, answer, sent)
        return queued, True

    def _qbo_send_one(self, connection, job, record, item):
        """A job the batch endpoint cannot carry (an upload): one call, under the job's own request id."""
        handler = self.env["qbo.handler"]._qbo_get(job.qbo_entity, job.res_model)
        payload, digest = item[job.qbo_entity], item["digest"]
        try:
            obj = handler._qbo_send_direct(connection, job, record, payload)
        except qbo.QboValidationError as error:
            job.write({"attempts": job.attempts + 1, "intuit_tid": error.intuit_tid or False})
            handler._qbo_handle_faults(connection, [(job, {"code": error.code, "Message": error.message,
                                                           "Detail": error.detail}, payload)])
            return
        except qbo.QboError as error:
            job._qbo_retry_or_fail(error)
            return
        handler._qbo_apply_result(connection, job, obj, digest)
        job._qbo_done()

    @api.model
    def _qbo_attach_bindings(self, connection, batch):
        """Find or create every job's binding with one search and one create, not one per job."""
        Binding = self.env["qbo.binding"]
        todo = batch.filtered(lambda job: not job.binding_id)
        found = {}
        for res_model, entity in {(job.res_model, job.qbo_entity) for job in todo}:
            ids = [job.res_id for job in todo if (job.res_model, job.qbo_entity) == (res_model, entity)]
            for binding in Binding.search([("connection_id", "=", connection.id), ("res_model", "=", res_model),
                                           ("qbo_entity", "=", entity), ("res_id", "in", ids)]):
                found[(res_model, binding.res_id, entity, binding.part or "")] = binding
        key = lambda job: (job.res_model, job.res_id, job.qbo_entity, job.part or "")   # noqa: E731
        missing = {key(job): job for job in todo if key(job) not in found}
        for binding in Binding.create([{"connection_id": connection.id, "res_model": res_model, "res_id": res_id,
                                        "qbo_entity": entity, "part": part}
                                       for res_model, res_id, entity, part in missing]):
            found[(binding.res_model, binding.res_id, binding.qbo_entity, binding.part or "")] = binding
        for job in todo:
            job.binding_id = found[key(job)]

    @api.model
    def _qbo_records_of(self, batch):
        """{(model, id): record} for a batch, browsed together so their fields load in one query per model."""
        found = {}
        for res_model in set(batch.mapped("res_model")):
            ids = [job.res_id for job in batch if job.res_model == res_model]
            for record in self.env[res_model].browse(ids).exists():
                found[(res_model, record.id)] = record
        return found

    @api.model
    def _qbo_prepare_records(self, connection, batch, records):
        """Let each handler see its records of the batch at once before payloads are built, and fail what
        QuickBooks would refuse before anything is sent. Returns the jobs the handlers queued on the way."""
        groups, queued = {}, self.browse()
        for job in batch:
            groups.setdefault((job.qbo_entity, job.res_model), batch.browse())   # keeps the batch's context
            groups[(job.qbo_entity, job.res_model)] |= job
        for (entity, res_model), jobs in groups.items():
            handler = self.env["qbo.handler"]._qbo_get(entity, res_model)
            ids = [job.res_id for job in jobs if job.operation == "push" and (job.res_model, job.res_id) in records]
            if ids:
                handler._qbo_prepare_batch(connection, self.env[res_model].browse(ids))
            queued |= handler._qbo_check_before_send(connection, jobs, records) or self.browse()
        return queued

    def _qbo_batch_item(self, connection, record):
        """This job's BatchItemRequest entry (or None), and the dependency jobs it had to queue first."""
        self.ensure_one()
        handler = self.env["qbo.handler"]._qbo_get(self.qbo_entity, self.res_model)
        if self.state != "running":   # decided before sending (see _qbo_check_before_send)
            return None, self.browse()
        if self.operation != "push":
            fields_, payload = handler._qbo_end_item(self.binding_id, self.operation)
            return dict(fields_, bId=str(self.id), digest=False, **{self.qbo_entity: payload}), self.browse()
        if not record:
            self.write({"state": "cancelled", "error_message": _("The Odoo record no longer exists.")})
            return None, self.browse()
        try:
            dependencies = self._qbo_queue_missing_dependencies(connection, handler, record)
            if dependencies is not None:
                return None, dependencies
            payload = handler.with_context(qbo_part=self.part or "")._qbo_to_qbo(connection, record)
        except UserError as error:   # e.g. an unmapped account: this record's problem, not the batch's
            self._qbo_fail("", str(error), "")
            return None, self.browse()
        binding = self.binding_id
        if binding.name_suffix and "DisplayName" in payload:
            payload["DisplayName"] = payload["DisplayName"][:500 - len(binding.name_suffix)] + binding.name_suffix
        digest = self._qbo_digest(payload)
        if binding.qbo_id and binding.payload_hash == digest and binding.state == "synced":
            self._qbo_done()   # unchanged since the last push
            return None, self.browse()
        operation = "create"
        if binding.qbo_id:
            operation = "update"
            payload = {key: value for key, value in payload.items() if key not in handler._qbo_create_only_fields}
            payload.update(Id=binding.qbo_id, SyncToken=binding.sync_token, sparse=True)
        return {"bId": str(self.id), "operation": operation, self.qbo_entity: payload, "digest": digest}, \
            self.browse()

    def _qbo_queue_missing_dependencies(self, connection, handler, record):
        """Queue what ``record`` refers to and QuickBooks does not have yet; None when nothing is missing.

        This job steps back to pending behind them (a lower priority number is
        sent first), so a sub-customer never reaches QuickBooks before its parent.
        Waiting costs no attempt.
        """
        Binding = self.env["qbo.binding"]
        queued, refused = self.browse(), []
        for records, entity in self._qbo_dependencies_of(connection, handler, record):
            bound = Binding.browse()
            for bindings in Binding._qbo_bound(connection, records._name, entity, records.ids).values():
                bound |= bindings
            ready = set(bound.filtered("qbo_id").mapped("res_id"))
            refused += [binding for binding in bound if binding.state == "error" and binding.res_id not in ready]
            sent, missing = self._qbo_in_flight(connection, records.filtered(lambda rec: rec.id not in ready), entity)
            queued |= sent | self._qbo_enqueue(connection, missing, entity, priority=self.priority - 1)
        if refused:
            self._qbo_fail("", _("This record needs %(names)s in QuickBooks first, which QuickBooks refused: "
                                 "%(reason)s", names=", ".join(b.display_name for b in refused),
                                 reason=refused[0].last_error or ""), "")
            return queued
        if not queued:
            return None
        if self.waits >= MAX_WAITS:
            self._qbo_fail("", _("What this record refers to could not be synced to QuickBooks first."), "")
            return queued
        self._qbo_step_back(queued)
        return queued

    def _qbo_dependencies_of(self, connection, handler, record):
        return batch_memo(self.env, ("dependencies", self.id),
                          lambda: handler._qbo_dependencies(connection, record))

    @api.model
    def _qbo_prefetch_dependencies(self, connection, batch, records):
        """Look up the links of everything the batch's records refer to in one query per type, not per record."""
        wanted = {}
        for job in batch.filtered(lambda job: job.state == "running" and job.operation == "push"):
            record = records.get((job.res_model, job.res_id))
            if not record:
                continue
            handler = self.env["qbo.handler"]._qbo_get(job.qbo_entity, job.res_model)
            try:
                dependencies = job._qbo_dependencies_of(connection, handler, record)
            except UserError:
                continue   # said when the job is built
            for dependency, entity in dependencies:
                wanted.setdefault((dependency._name, entity), set()).update(dependency.ids)
        for (res_model, entity), ids in wanted.items():
            self.env["qbo.binding"]._qbo_bound(connection, res_model, entity, list(ids))

    @api.model
    def _qbo_digest(self, payload):
        clean = {k: v for k, v in payload.items() if k not in ("Id", "SyncToken", "sparse")}
        return hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()

    def _qbo_apply(self, connection, batch, answer, sent):
        """Each item's own result: one fault never fails its neighbours. Returns jobs queued on the way."""
        by_bid = {str(job.id): job for job in batch}
        failures, answered = {}, set()
        for item in answer.get("BatchItemResponse", []):
            job = by_bid.get(str(item.get("bId")))
            if job is None:
                continue
            answered.add(job.id)
            fault = item.get("Fault")
            handler = self.env["qbo.handler"]._qbo_get(job.qbo_entity, job.res_model)
            if not fault and job.operation != "push":
                handler._qbo_apply_ending(connection, job, item.get(job.qbo_entity) or {})
                job._qbo_done()
                continue
            if not fault:
                # After a resend, QuickBooks may hold the first send's data, not this one's: forget the hash,
                # so that a later change of the record is sent rather than taken for unchanged.
                digest = False if batch.env.context.get("qbo_resend") else sent[str(job.id)][1]
                handler._qbo_apply_result(connection, job, item.get(job.qbo_entity) or {}, digest)
                job._qbo_done()
                continue
            job.write({"attempts": job.attempts + 1, "intuit_tid": getattr(answer, "intuit_tid", "") or False})
            error = (fault.get("Error") or [{}])[0]
            failures.setdefault((job.qbo_entity, job.res_model), []).append((job, error, sent[str(job.id)][0]))
        for job in batch.filtered(lambda j: j.state == "running" and j.id not in answered):
            job._qbo_fail("", _("QuickBooks did not answer for this record in its batch."), "")
        for entity, res_model in {(job.qbo_entity, job.res_model) for job in batch}:
            jobs = batch.filtered(lambda job: (job.qbo_entity, job.res_model) == (entity, res_model))
            self.env["qbo.handler"]._qbo_get(entity, res_model)._qbo_after_batch(connection, jobs)
        queued = self.browse()
        for (entity, res_model), entity_failures in failures.items():
            handler = self.env["qbo.handler"]._qbo_get(entity, res_model)
            queued |= handler._qbo_handle_faults(connection, entity_failures)
        return queued
