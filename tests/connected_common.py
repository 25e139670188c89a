"""A connected US company with the limits lifted, and a quick way to fill the emulator's lists."""
import json

from ..emulator.testing import quickbooks
from .common import US_REALM, QboSyncCase


class QboConnectedCase(QboSyncCase):
    """QboSyncCase (connected, limits lifted) with helpers to fill and read the emulator's lists."""

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
