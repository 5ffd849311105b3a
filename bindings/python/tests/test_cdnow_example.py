"""examples/cdnow_analysis.py runs on the shared CDNOW log and prints the published figures
(Fader, Hardie & Lee 2005; docs/ANALYST.md quotes the same lines)."""
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
_EXAMPLE = os.path.join(_ROOT, "examples", "cdnow_analysis.py")
_LOG = os.path.join(os.environ.get("CRMKIT_SHARED_DATA", ""), "cdnow", "CDNOW_sample.txt")


@unittest.skipUnless(os.path.exists(_LOG), "shared CDNOW data absent (%s)" % _LOG)
class CdnowExampleTest(unittest.TestCase):
    def test_prints_the_published_analysis_and_writes_its_charts(self):
        with tempfile.TemporaryDirectory() as out:
            run = subprocess.run([sys.executable, _EXAMPLE, _LOG, out], capture_output=True, text=True,
                                 env=dict(os.environ), timeout=120)
            self.assertEqual(run.returncode, 0, run.stderr)
            text = run.stdout
            self.assertIn("purchases: 6919 rows, 2357 customers; holdout 39 weeks", text)
            self.assertIn("BG/NBD: r 0.243 alpha 4.414 a 0.793 b 2.426", text)
            # Customer 1 (x 2, t_x 30.43, T 38.86): P(alive) 0.7266, E[Y(39)] 1.226 (CLV_MODELS.md).
            self.assertIn("customer 1: x 2, t_x 30.43, T 38.86 -> P(alive) 0.7266, E[purchases in 39 weeks] 1.226",
                          text)
            self.assertIn("Gamma-Gamma: p 6.2496 q 3.7442 gamma 15.4435 over 946 repeat buyers", text)
            # Holdout purchases: every customer in exactly one frequency row.
            counts = [int(m) for m in re.findall(r"^\s+(?:>=)?\d: +(\d+) customers", text, re.M)]
            self.assertEqual(sum(counts), 2357)
            top = re.findall(r"^  customer (\d+): CLV ([0-9.]+)", text, re.M)
            self.assertEqual(len(top), 5)
            self.assertEqual([float(v) for _, v in top], sorted((float(v) for _, v in top), reverse=True))
            segments = re.findall(r"^  (.+?) +(\d+) customers +[0-9.]+% of revenue", text, re.M)
            self.assertEqual(sum(int(c) for _, c in segments), 2357)
            self.assertIn("Champions", [s.strip() for s, _ in segments])
            for name in ("calibration_vs_holdout.svg", "p_alive_matrix.svg", "rfm_segments.svg"):
                root = ET.parse(os.path.join(out, name)).getroot()
                self.assertTrue(root.tag.endswith("svg"), name)


if __name__ == "__main__":
    unittest.main()
