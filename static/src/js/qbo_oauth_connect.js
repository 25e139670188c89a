/** @odoo-module **/

import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

const POPUP_WIDTH = 720;
const POPUP_HEIGHT = 800;

/**
 * Connect: Intuit's sign-in and consent page for a QuickBooks Online connection.
 *
 * On a large screen it opens in a pop-up, whose callback page reloads this tab (now Connected) and closes
 * itself. On a phone, or when the browser blocks the pop-up, this tab goes to Intuit and the callback
 * brings it back to the connection form. The server signed both links with the same single-use nonce
 * (qbo.connection.action_qbo_connect), so whichever is used, the other is dead.
 */
export function qboOAuthConnect(env, action) {
    const { popup_url: popupUrl, tab_url: tabUrl } = action.params;
    if (popupUrl && !env.isSmall) {
        const left = Math.max(0, (window.screen?.width || POPUP_WIDTH) / 2 - POPUP_WIDTH / 2);
        const top = Math.max(0, (window.screen?.height || POPUP_HEIGHT) / 2 - POPUP_HEIGHT / 2);
        const popup = browser.open(
            popupUrl,
            "qbo_oauth",
            `popup=yes,width=${POPUP_WIDTH},height=${POPUP_HEIGHT},left=${left},top=${top}`
        );
        if (popup && !popup.closed) {
            popup.focus();
            return;
        }
    }
    browser.location.assign(tabUrl);
}

registry.category("actions").add("qbo_oauth_connect", qboOAuthConnect);
