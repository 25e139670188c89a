import logging


from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

from .. import const, qbo

_logger = logging.getLogger(__name__)
MANAGERS = "account_quickbooks_online.group_qbo_manager"


class QboOAuthController(http.Controller):

    @http.route(const.CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def qbo_oauth_callback(self, code=None, state=None, realmId=None, error=None, **kwargs):
        """Intuit sends the user back here after the consent page.

        Nothing is stored unless the state is this database's, unexpired, unused,
        issued to this user for a company they manage, and the QuickBooks company
        is not linked to another Odoo company.
        """
        if not request.env.user.has_group(MANAGERS):
            return self._refuse(_("Only QuickBooks Online managers can connect a company."))
        connections = request.env["qbo.connection"]
        if error:
            try:
                connections._qbo_check_state(state)
            except (UserError, ValueError):
                pass
            return self._refuse(_("The connection was not made: Intuit answered “%s”.", error), status=200)
        if not code or not state or not realmId:
            return self._refuse(_("Intuit's answer is incomplete (code, state and company are required)."))
        try:
            connection = connections._qbo_check_state(state)
            connection._qbo_check_realm(realmId)
        except (UserError, ValueError) as refusal:
            request.env.cr.rollback()
            return self._refuse(refusal.args[0] if isinstance(refusal, UserError)
                                else _("This QuickBooks connection link is not valid."))
        try:
            connection._qbo_complete_oauth(code, realmId)
        except qbo.QboError as failure:
            request.env.cr.rollback()
            _logger.warning("QuickBooks authorization code exchange failed: %s (intuit_tid %s)",
                            failure.code, failure.intuit_tid)
            return self._refuse(connections._qbo_error_message(failure), status=502)
        if connections._qbo_state_mode(state) == "popup":
            # The pop-up Connect opened: refresh the page that opened it and close (see the template).
            return request.render("account_quickbooks_online.qbo_oauth_done", {
                "connection": connection, "form_url": connection._qbo_form_url()})
        # Connect went to Intuit in this very tab: back to the form, under its menu for the breadcrumb.
        return request.redirect(connection._qbo_form_url())

    def _refuse(self, message, status=403):
        return request.render("account_quickbooks_online.qbo_oauth_error", {"message": message},
                              status=status)
