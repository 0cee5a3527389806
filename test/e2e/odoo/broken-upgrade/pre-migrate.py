# A release whose upgrade fails: odoo -u all runs this pre-migration script of
# e2e_acme 1.1 and stops with an error, as a broken migration script would.
def migrate(cr, version):
    raise RuntimeError('e2e_acme 1.1: this migration fails on purpose')
