# The end-to-end tests' own add-on: installed by the init Job of the
# instances the tests create, it carries one passing and one failing test,
# selected by tag, for the testing-instance scenario, and a browser tour
# (web_tour, run in headless Chromium from the image) that passes.
{
    'name': 'E2E ACME',
    'summary': 'function-odoo end-to-end test add-on',
    'version': '1.0',
    'depends': ['base', 'web_tour'],
    'assets': {
        'web.assets_tests': ['e2e_acme/static/tests/tours/*.js'],
    },
    'license': 'LGPL-3',
    'installable': True,
}
