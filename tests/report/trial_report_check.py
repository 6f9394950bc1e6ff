#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The report of a real run, in headless Chromium at two widths: it loads without errors, every
figure is in the rendered DOM with drawn SVG, the sections that show the chain are there, and every
number of the per-group table equals summary.json (formatted as the report formats it).
    trial_report_check.py KETASIM SCENARIO OUT_DIR      exit 0 pass, 1 fail, 77 skip (no Chromium)"""
import html.parser
import json
import os
import subprocess
import sys
import tempfile

ks, scenario, out = sys.argv[1:4]
chromium = os.environ.get("KS_CHROMIUM", "/usr/bin/chromium")
if not os.access(chromium, os.X_OK):
    print(f"SKIP: {chromium} not found")
    sys.exit(77)
os.makedirs(out, exist_ok=True)
subprocess.run([ks, "run", scenario, "--out", out, "--patients", "30", "--threads", "2", "--quiet"], check=True,
               stdout=subprocess.DEVNULL)
summary = json.load(open(os.path.join(out, "summary.json")))
page = os.path.join(out, "report.html")
fails = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + (f": {detail}" if detail and not ok else ""))
    if not ok:
        fails.append(what)


class Dom(html.parser.HTMLParser):
    """Figures, their SVGs, section headings, and the cells of table-1."""

    def __init__(self):
        super().__init__()
        self.figures, self.svgs, self.h2, self.rows = 0, 0, [], []
        self._in_h2, self._table, self._cell = False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure":
            self.figures += 1
        elif tag == "svg" and "ks-fig" in (a.get("class") or ""):
            self.svgs += 1
        elif tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        elif tag == "table":
            self._table = a.get("id")
        elif tag == "tr" and self._table == "table-1":
            self.rows.append([])
        elif tag == "td" and self._table == "table-1":
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        elif tag == "table":
            self._table = None
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1] += data
        if self._cell is not None:
            self._cell += data


n_fig_file = open(page, encoding="utf-8").read().count('<figure id="fig-')
for width in (1280, 420):
    prof = tempfile.mkdtemp()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--enable-logging=stderr", "--v=0", f"--user-data-dir={prof}",
             f"--window-size={width},4000"]
    r = subprocess.run([chromium, *flags, "--dump-dom", "file://" + os.path.abspath(page)], capture_output=True,
                       text=True, timeout=180)
    check(f"[{width}px] chromium loads the report", r.returncode == 0 and "</html>" in r.stdout, r.stderr[-300:])
    check(f"[{width}px] no console messages or failed loads",
          "CONSOLE" not in r.stderr and "net::ERR_" not in r.stderr, r.stderr[-300:])
    shot = os.path.join(out, f"report_{width}.png")
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "file://" + os.path.abspath(page)],
                   capture_output=True, timeout=180)
    check(f"[{width}px] screenshot drawn", os.path.exists(shot) and os.path.getsize(shot) > 20000)
    d = Dom()
    d.feed(r.stdout)
    check(f"[{width}px] every figure rendered ({n_fig_file})", d.figures == n_fig_file and d.svgs == n_fig_file,
          f"{d.figures} figures, {d.svgs} svgs")
    for sec in ("Arms", "Secondary analyses", "Exposure", "Safety", "Individual patients", "Provenance"):
        check(f"[{width}px] section {sec}", sec in d.h2, str(d.h2))
    rows = [row for row in d.rows if row]
    check(f"[{width}px] one table row per arm", len(rows) == len(summary["arms"]), str(rows))
    for row, arm in zip(rows, summary["arms"]):
        b = arm["baseline"]["caps5"]
        want = [arm["name"], str(arm["n"]), str(arm["n_completed"]), f"{b['mean']:.1f} (SD {b['sd']:.1f})",
                f"{100 * arm['response_rate']:.0f}%" if arm["response_rate"] is not None else "n/a"]
        check(f"[{width}px] arms table = summary.json for {arm['name']}", row[:5] == want, f"{row[:5]} vs {want}")

print(f"{11 * 2 + 2 * len(summary['arms']) - len(fails)} passed, {len(fails)} failed")
sys.exit(1 if fails else 0)
