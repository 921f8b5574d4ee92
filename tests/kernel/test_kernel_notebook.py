"""test_kernel_notebook.py -- a notebook run end to end with nbclient, as Jupyter Notebook runs
one: a DataFrame shows as a table (text/plain, and text/html when the build has the HTML
renderer), a plot as a chart (text/plain, and image/svg+xml when it has the SVG renderer), the
cells count 1, 2, 3..., and an error cell stops the run with the engine's message.

Run by ctest with /usr/bin/python3 (kernel/CMakeLists.txt). LOUPE_KERNEL_WEB lists the rich
forms the build has ("table", "chart").
"""
import os
import sys
import unittest

import kernelutil  # the private Jupyter environment, before jupyter_client reads its paths
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

WEB = set(filter(None, os.environ.get("LOUPE_KERNEL_WEB", "").split(",")))
CODES = kernelutil.CODES


def notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernelutil.KERNEL_NAME, "display_name": "Loupe", "language": "loupe"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def visible(outputs):
    """The outputs without the emptied running display a cell over half a second leaves
    (slow machines and the sanitizer builds)."""
    return [o for o in outputs if not (o.output_type == "display_data" and o.data.get("text/plain") == "")]


def run(nb, **kw):
    NotebookClient(nb, timeout=120, kernel_name=kernelutil.KERNEL_NAME, **kw).execute()
    return nb


class TestNotebook(unittest.TestCase):
    def test_table_and_chart(self):
        nb = run(notebook(
            f'c = spark.read.csv("{CODES}", header=True, inferSchema=True)\nprint("loaded")',
            "c",
            'c.groupBy("name").count().orderBy("name").plot(x="name", y="count", kind="bar")',
            "help(F.lower)",
        ))
        load, table, chart, helpcell = nb.cells
        self.assertEqual([c.execution_count for c in nb.cells], [1, 2, 3, 4])
        self.assertEqual(visible(load.outputs)[0].output_type, "stream")
        self.assertEqual(visible(load.outputs)[0].text, "loaded\n")
        out = visible(table.outputs)[0]
        self.assertEqual(out.output_type, "execute_result")
        self.assertIn("3 rows", out.data["text/plain"])
        if "table" in WEB:
            html = out.data["text/html"]
            self.assertIn("<table", html)
            self.assertIn("x7", html)
            self.assertNotIn("<script", html)
        else:
            self.assertNotIn("text/html", out.data)
        out = visible(chart.outputs)[0]
        self.assertIn("text/plain", out.data)
        if "chart" in WEB:
            svg = out.data["image/svg+xml"]
            self.assertTrue(svg.lstrip().startswith("<svg") or svg.lstrip().startswith("<?xml"), svg[:80])
            self.assertNotIn("<script", svg)
        else:
            self.assertNotIn("image/svg+xml", out.data)
        # the pager text does not become an output cell
        self.assertEqual(visible(helpcell.outputs), [])

    def test_error_stops_the_run(self):
        nb = notebook("a = 1", "a + undefined_name", "a")
        with self.assertRaises(CellExecutionError) as cm:
            run(nb)
        self.assertIn("undefined_name", str(cm.exception))
        err = visible(nb.cells[1].outputs)[0]
        self.assertEqual(err.output_type, "error")
        self.assertEqual(err.ename, "NameError")
        self.assertEqual(visible(nb.cells[2].outputs), [])

    def test_allow_errors_goes_on(self):
        nb = run(notebook("a = 2", "a + undefined_name", "a * 21"), allow_errors=True)
        self.assertEqual(visible(nb.cells[2].outputs)[0].data["text/plain"], "42")


if __name__ == "__main__":
    sys.exit(0 if unittest.main(exit=False, verbosity=2).result.wasSuccessful() else 1)
