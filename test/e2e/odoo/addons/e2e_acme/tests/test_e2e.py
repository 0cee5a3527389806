from odoo.tests import TransactionCase, tagged


@tagged('e2e_pass')
class TestE2EPass(TransactionCase):
    def test_main_company_exists(self):
        self.assertTrue(self.env.ref('base.main_company').exists())


@tagged('e2e_fail')
class TestE2EFail(TransactionCase):
    def test_fails_on_purpose(self):
        self.assertEqual(self.env.ref('base.main_company').name, 'not the company name', 'this test fails on purpose')
