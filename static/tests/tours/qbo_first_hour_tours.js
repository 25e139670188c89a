/** @odoo-module **/
/* Browser tours of the first hour of a company (tests/test_qbo_first_hour_tours.py starts them). */

import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

/**
 * Connect in a pop-up: the tour clicks Connect, approves on the emulator's consent page inside the pop-up
 * (a form posted into it, as a person's click would), and checks that this very tab reloads Connected while
 * the pop-up closes itself.
 */
tours.add("qbo_connect_popup", {
    steps: () => [
        {
            content: "Connect is the highlighted first step",
            trigger: ".o_form_view div[name=setup_connect] button.btn-primary[name=action_qbo_connect]",
            run() {
                // Keep the pop-up's address to approve in it; the pop-up opens as it would for a person.
                const open = browser.open;
                browser.open = (url, name, features) => {
                    const popup = open(url, name, features);
                    window.qboPopup = { url, name, opened: Boolean(popup && !popup.closed) };
                    return popup;
                };
            },
        },
        {
            content: "Click Connect",
            trigger: ".o_form_view div[name=setup_connect] button.btn-primary[name=action_qbo_connect]",
            run: "click",
        },
        {
            content: "Intuit's consent page opened in a pop-up named qbo_oauth",
            trigger: ".o_form_view",
            run() {
                const popup = window.qboPopup;
                if (!popup || !popup.opened || popup.name !== "qbo_oauth") {
                    throw new Error("Connect did not open a pop-up: " + JSON.stringify(popup));
                }
                const consent = new URL(popup.url);
                const form = document.createElement("form");
                form.method = "POST";
                form.action = consent.origin + consent.pathname;
                form.target = popup.name;
                const fields = Object.fromEntries(consent.searchParams.entries());
                Object.assign(fields, {
                    email: "demo@example.com",
                    password: "demo",
                    realm_id: "9341452727711001",
                    action: "approve",
                });
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement("input");
                    input.type = "hidden";
                    input.name = name;
                    input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            },
        },
        {
            content: "This tab reloaded by itself and shows the connection Connected",
            trigger: ".o_form_view .o_field_widget[name=status] :contains(Connected)",
            timeout: 30000,
        },
        {
            content: "The first step is done",
            trigger: ".o_form_view div[name=setup_connect] .badge:contains(Done)",
        },
        {
            content: "Update lists is now the highlighted step",
            trigger: ".o_form_view div[name=setup_lists] button.btn-primary[name=action_qbo_setup_lists]",
        },
        {
            content: "The form keeps its breadcrumb, under the connections",
            trigger: ".o_breadcrumb li.o_back_button:contains(QuickBooks Online)",
        },
        {
            content: "The pop-up closed itself",
            trigger: ".o_form_view",
            run() {
                // A still-open window of that name would be returned as it is; a closed one comes back blank.
                const again = window.open("", "qbo_oauth");
                const blank = again && again.location.href === "about:blank";
                again?.close();
                if (!blank) {
                    throw new Error("the Connect pop-up is still open");
                }
            },
        },
    ],
});

/**
 * Without a pop-up (blocked, or a phone) Connect sends this tab to Intuit, with the link whose callback comes
 * back to the connection form.
 */
tours.add("qbo_connect_without_popup", {
    steps: () => [
        {
            content: "Block pop-ups and keep where the tab is sent",
            trigger: ".o_form_view div[name=setup_connect] button.btn-primary[name=action_qbo_connect]",
            run() {
                browser.open = () => null;
                // The real location for everything else the web client reads; only assign() is kept.
                const tab = new Proxy(
                    {},
                    {
                        get(_target, property) {
                            if (property === "assign") {
                                return (url) => (window.qboTabUrl = url);
                            }
                            const value = window.location[property];
                            return typeof value === "function" ? value.bind(window.location) : value;
                        },
                    }
                );
                Object.defineProperty(browser, "location", { get: () => tab, configurable: true });
            },
        },
        {
            content: "Click Connect",
            trigger: ".o_form_view div[name=setup_connect] button.btn-primary[name=action_qbo_connect]",
            run: "click",
        },
        {
            content: "The tab itself goes to Intuit, with the link that comes back to the form",
            trigger: ".o_form_view",
            run() {
                const url = new URL(window.qboTabUrl || "http://none/");
                const state = url.searchParams.get("state") || "";
                const payload = JSON.parse(atob(state.split(".")[0].replace(/-/g, "+").replace(/_/g, "/")));
                if (!url.pathname.endsWith("/connect/oauth2") || payload.m !== "tab") {
                    throw new Error("Connect without a pop-up went to " + window.qboTabUrl);
                }
            },
        },
    ],
});

/**
 * The checklist's next steps: Update lists, then Review mappings, where the suggestions are confirmed in bulk,
 * then the import's preview and the import.
 */
tours.add("qbo_setup_checklist", {
    steps: () => [
        {
            content: "Connected: Update lists is the highlighted step",
            trigger: ".o_form_view div[name=setup_lists] button.btn-primary[name=action_qbo_setup_lists]",
            run: "click",
        },
        {
            content: "The lists are read and every mapping list is reported",
            trigger: ".o_notification:contains(Accounts:):contains(Taxes:):contains(Payment terms:)",
        },
        {
            content: "Update lists is done",
            trigger: ".o_form_view div[name=setup_lists] .badge:contains(Done)",
        },
        {
            content: "Review mappings says how much is left to map",
            trigger: ".o_form_view div[name=setup_mappings] .badge:contains(to map)",
        },
        {
            content: "Review mappings",
            trigger: ".o_form_view div[name=setup_mappings] button.btn-primary[name=action_qbo_review_mappings]",
            run: "click",
        },
        {
            content: "The accounts to map, suggestions among them",
            trigger: ".o_list_view .o_data_row .o_field_widget[name=state]:contains(To confirm)",
        },
        {
            content: "Select every suggestion",
            trigger: ".o_list_view .o_data_row",
            run() {
                const rows = [...document.querySelectorAll(".o_list_view .o_data_row")].filter((row) =>
                    row.querySelector(".o_field_widget[name=state]")?.innerText.includes("To confirm")
                );
                for (const row of rows) {
                    row.querySelector(".o_list_record_selector input").click();
                }
            },
        },
        {
            content: "Confirm them in bulk",
            trigger: "button[name=action_qbo_confirm_suggestions]:not(.o_data_row button)",
            run: "click",
        },
        {
            content: "They are confirmed",
            trigger: ".o_notification:contains(suggestion(s) confirmed)",
        },
        {
            content: "No suggestion is left to confirm",
            trigger: ".o_list_view:not(:has(.o_field_widget[name=state]:contains(To confirm)))",
        },
        {
            content: "Back to the connection",
            trigger: ".o_breadcrumb li.o_back_button a",
            run: "click",
        },
        {
            content: "Import from QuickBooks (the mappings step is still the highlighted one)",
            trigger: ".o_form_view div[name=setup_import] button:contains(Import from QuickBooks)",
            run: "click",
        },
        {
            content: "The wizard says what it brings in, and previews first",
            trigger: ".modal:has(.o_form_view:contains(Customers)) .modal-footer button[name=action_preview]",
            run: "click",
        },
        {
            content: "The preview counts, list by list",
            trigger: ".modal div[name=preview] .o_data_row:contains(Customers)",
        },
        {
            content: "Import, as previewed",
            trigger: ".modal .modal-footer button[name=action_import]",
            run: "click",
        },
        {
            content: "The import is done",
            trigger: ".modal .o_field_widget[name=run_state]:contains(Done)",
            timeout: 30000,
        },
        {
            content: "Close",
            trigger: ".modal .modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "The import step is done",
            trigger: ".o_form_view div[name=setup_import] .badge:contains(Done)",
        },
    ],
});
