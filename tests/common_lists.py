"""A connected company, limits lifted, for the lists, mappings and items tests."""

from .common import US_REALM, QboSyncCase


class QboListsCase(QboSyncCase):

    def link(self, realm_id, connection=None):
        """Point the connection at ``realm_id`` with fresh tokens; its country is read again from QuickBooks."""
        return self.connect_with_tokens(connection, realm_id, qbo_country_code=False)

    def update_lists(self, connection=None):
        connection = connection or self.connection
        return self.env["qbo.list.item"]._qbo_update_lists(connection)

    def rows(self, list_type, connection=None, active_test=True):
        return self.env["qbo.list.item"].with_context(active_test=active_test).search([
            ("connection_id", "=", (connection or self.connection).id), ("list_type", "=", list_type)])

    def qbo(self, realm_id, entity):
        return self.emulator_admin.dump(realm_id)["data"][entity]

    def qbo_account(self, realm_id, name):
        return next(a for a in self.qbo(realm_id, "Account").values() if a["Name"] == name)

    def batch_calls(self, realm_id=US_REALM):
        return self.emulator_admin.counters(realm_id).get("POST batch", 0)
