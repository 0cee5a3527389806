# The end-to-end tests' own add-on: installed by the init Job of the
# instances the tests create, it carries one passing and one failing test,
# selected by tag, for the testing-instance scenario.
{
    'name': 'E2E ACME',
    'summary': 'function-odoo end-to-end test add-on',
    'version': '1.0',
    'depends': ['base'],
    'license': 'LGPL-3',
    'installable': True,
}
