"""A connected US company with the limits lifted, and a quick way to fill the emulator's lists."""
import json
from datetime import timedelta

from odoo import fields

from ..emulator.testing import quickbooks
from .common import US_REALM, QboHttpCase


class QboConnectedCase(QboHttpCase):

    def setUp(self):
        super().setUp()
        tokens = self.emulator_admin.grant(US_REALM)
        self.connection.sudo().write({
            "state": "connected", "realm_id": US_REALM, "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
            "access_token_expires_at": fields.Datetime.now() + timedelta(hours=1)})
        # These tests are about behaviour and call counts, not pacing: lift the limits on both sides.
        self.emulator_admin.configure(limits={"batch_per_minute": 10000, "requests_per_minute": 100000})
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("account_quickbooks_online.limit_batch_per_window", "10000")
        params.set_param("account_quickbooks_online.limit_request_per_window", "100000")

    def qbo_client(self):
        return quickbooks(self.emulator.url, US_REALM, self.emulator_admin.grant(US_REALM)["access_token"])

    def qbo_create(self, entity, objects):
        """Create ``objects`` (JSON dicts) in the emulator through the batch API, 30 a call; their Ids."""
        qb, ids = self.qbo_client(), []
        for start in range(0, len(objects), 30):
            items = [{"bId": str(n), "operation": "create", entity: obj}
                     for n, obj in enumerate(objects[start:start + 30])]
            answer = qb.batch_operation(json.dumps({"BatchItemRequest": items}))
            for item in answer["BatchItemResponse"]:
                self.assertNotIn("Fault", item, item)
                ids.append(item[entity]["Id"])
        return ids

    def qbo_rows(self, entity):
        return list(self.emulator_admin.dump(US_REALM)["data"][entity].values())

    def qbo_id(self, entity, display_name):
        key = "Name" if entity == "Item" else "DisplayName"
        found = [row["Id"] for row in self.qbo_rows(entity) if row.get(key) == display_name]
        self.assertEqual(len(found), 1, display_name)
        return found[0]

    def qbo_calls(self):
        return self.emulator_admin.counters(US_REALM)
