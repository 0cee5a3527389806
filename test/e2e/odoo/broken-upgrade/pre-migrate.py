# A release whose upgrade fails half-way: odoo -u all runs this pre-migration
# script of e2e_acme 1.1, which changes the customer's data and commits, as a
# migration that breaks after its first steps would, then stops with an
# error. What a rollback must undo.
def migrate(cr, version):
    cr.execute("UPDATE res_partner SET name = name || ' (half upgraded)'")
    cr.commit()
    raise RuntimeError('e2e_acme 1.1: this migration fails on purpose')
