from . import test_e2e
