/** @odoo-module **/
// A tour of the web client, run by Odoo's own test runner in headless Chromium:
// the admin's home loads, the user menu opens and offers to log out.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("e2e_acme_tour", {
    test: true,
    url: "/web",
    steps: () => [
        { content: "the web client's navbar is shown", trigger: ".o_main_navbar", run() {} },
        { content: "open the user menu", trigger: ".o_user_menu button", run: "click" },
        { content: "the user menu offers to log out", trigger: "[data-menu='logout']", run() {} },
    ],
});
