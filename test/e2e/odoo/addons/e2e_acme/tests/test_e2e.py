from odoo.tests import HttpCase, TransactionCase, tagged


@tagged('e2e_pass')
class TestE2EPass(TransactionCase):
    def test_main_company_exists(self):
        self.assertTrue(self.env.ref('base.main_company').exists())


@tagged('e2e_fail')
class TestE2EFail(TransactionCase):
    def test_fails_on_purpose(self):
        self.assertEqual(self.env.ref('base.main_company').name, 'not the company name', 'this test fails on purpose')


@tagged('e2e_pass', 'post_install', '-at_install')
class TestE2ETour(HttpCase):
    def test_user_menu_tour(self):
        # Odoo skips a tour, and passes, when it finds no Chrome: the e2e reads that it ran.
        self.start_tour('/web', 'e2e_acme_tour', login='admin')
