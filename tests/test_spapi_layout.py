"""Architecture rules, checked on the source (no database): the SP-API layer and the simulator
never import Odoo; only ``spapi/adapter.py`` imports python-amazon-sp-api."""

import ast
import glob
import os
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _imported_roots(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), filename=path)
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


class TestLayout(unittest.TestCase):
    def files(self):
        files = sorted(glob.glob(os.path.join(ROOT, "spapi", "*.py")))
        files += [
            os.path.join(ROOT, "tools", name)
            for name in ("sp_api_simulator.py", "sp_api_payloads.py")
        ]
        self.assertIn(os.path.join(ROOT, "spapi", "adapter.py"), files)
        return files

    def test_no_odoo_import(self):
        for path in self.files():
            self.assertNotIn("odoo", _imported_roots(path), path)

    def test_only_the_adapter_imports_sp_api(self):
        importers = {
            os.path.relpath(path, ROOT)
            for path in self.files() + glob.glob(os.path.join(ROOT, "models", "*.py"))
            if "sp_api" in _imported_roots(path)
        }
        self.assertEqual(importers, {os.path.join("spapi", "adapter.py")})

    def test_the_check_sees_imports(self):
        roots = _imported_roots(os.path.join(ROOT, "spapi", "adapter.py"))
        self.assertTrue({"sp_api", "httpx"} <= roots)
