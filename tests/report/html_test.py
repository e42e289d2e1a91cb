"""HTML report tests: every kind hetplan writes (plan, batch, sweep,
montecarlo) is loaded in headless Chromium (Debian chromium): no console
message, no network request, the key figures in the page, and a print to
PDF on A4 that succeeds. The page itself has no script, no link and no
URL to fetch.

usage: python3 html_test.py HETPLAN SOURCE_DIR   (run by ctest)
Exit 77 (skipped) when chromium is missing outside CI; a failure in CI.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    if os.environ.get("CI"):
        print("chromium is missing (scripts/install-deps.sh installs it)")
        sys.exit(1)
    print("SKIP: chromium is missing (apt-get install chromium)")
    sys.exit(77)

HP, SRC = sys.argv[1], sys.argv[2]
CAT = os.path.join(SRC, "devices")
tmp = tempfile.mkdtemp()
failures = []

# The browser's own background services (updates, accounts, time), which
# these flags quiet but do not silence: not requests of the page.
BROWSER_HOSTS = re.compile(r"^https?://([a-z0-9.-]+\.)?(google\.com|"
                           r"googleapis\.com|gvt1\.com|gstatic\.com)/")
FLAGS = ["--headless", "--disable-gpu", "--no-sandbox",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-default-apps",
         "--disable-extensions",
         "--disable-features=Translate,OptimizationHints,MediaRouter",
         "--user-data-dir=" + os.path.join(tmp, "profile")]


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args):
    p = subprocess.run([HP, *args, "--catalog", CAT], cwd=SRC,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("hetplan %s: exit %d\n%s" % (" ".join(args),
                                                      p.returncode, p.stderr))
    return p.stdout


def load(path, name):
    """The page's DOM, its console messages and the URLs it requested."""
    net = os.path.join(tmp, name + ".netlog.json")
    p = subprocess.run([CHROMIUM, *FLAGS, "--log-net-log=" + net,
                        "--enable-logging=stderr", "--v=0", "--dump-dom",
                        "file://" + path], capture_output=True, text=True,
                       timeout=120)
    console = [l for l in p.stderr.splitlines() if ":CONSOLE" in l]
    urls = set()
    if os.path.exists(net):
        with open(net, errors="replace") as f:
            urls = set(re.findall(r'"url":"([^"]*)"', f.read()))
    page = {u for u in urls if not u.startswith("file:")
            and not u.startswith("data:") and not BROWSER_HOSTS.match(u)}
    return p.returncode, p.stdout, console, page


def static_checks(html, kind):
    for pat, what in [(r"<script", "a script"), (r"<link", "a link"),
                      (r"<iframe|<img|<object|<embed", "an embedded object"),
                      (r"@import", "a CSS import"),
                      (r"(src|href)\s*=\s*[\"']?(https?:)?//", "a remote URL"),
                      (r"url\(\s*[\"']?(https?:)?//", "a remote CSS URL")]:
        check(not re.search(pat, html, re.I), "%s: the page has %s" % (kind, what))


def pdf(path, name):
    out = os.path.join(tmp, name + ".pdf")
    p = subprocess.run([CHROMIUM, *FLAGS, "--no-pdf-header-footer",
                        "--print-to-pdf=" + out, "file://" + path],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0 or not os.path.exists(out):
        return None
    with open(out, "rb") as f:
        return f.read()


SIX = ["Summary", "Vendors", "SKUs", "Classes", "Assumptions", "Sources"]


def page(kind, args, figures, sections=SIX):
    path = os.path.join(tmp, kind + ".html")
    run(*args, "-o", path)
    with open(path, encoding="utf-8") as f:
        html = f.read()
    static_checks(html, kind)
    rc, dom, console, urls = load(path, kind)
    check(rc == 0 and "</html>" in dom, "%s: chromium did not load the page" % kind)
    check(not console, "%s: console messages: %s" % (kind, console[:3]))
    check(not urls, "%s: network requests: %s" % (kind, sorted(urls)[:3]))
    for fig in figures:
        check(fig in dom, "%s: %r is not in the page" % (kind, fig))
    for sec in sections:
        check("<h2>%s</h2>" % sec in dom, "%s: no %s section" % (kind, sec))
    check("<svg" in dom, "%s: no inline SVG chart" % kind)
    ids = re.findall(r'\bid="([^"]*)"', dom)
    dup = sorted({i for i in ids if ids.count(i) > 1})
    check(not dup, "%s: ids used twice (charts share glyphs): %s"
          % (kind, dup[:3]))
    data = pdf(path, kind)
    check(data is not None and data.startswith(b"%PDF"), "%s: no PDF" % kind)
    if data:
        # A4 landscape: 297 x 210 mm = 841.9 x 595.3 points.
        boxes = re.findall(rb"MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", data)
        check(boxes and all(abs(float(w) - 841.9) < 2 and abs(float(h) - 595.3) < 2
                            for w, h in boxes),
              "%s: PDF pages are not A4: %s" % (kind, boxes[:2]))


# The detector itself must see a request and a console message.
bad = os.path.join(tmp, "bad.html")
with open(bad, "w") as f:
    f.write('<html><body><img src="http://192.0.2.1/x.png">'
            '<script>console.error("boom")</script></body></html>')
rc, dom, console, urls = load(bad, "bad")
check(console and urls, "the checks miss a console message or a request "
      "(console %s, urls %s)" % (console, urls))

plan = "plans/doubao-roofline.yaml"
js = json.loads(run("plan", plan, "--format", "json"))
s0 = js["scenarios"][0]
page("plan", ["plan", plan],
     [s0["name"], "%s" % format(s0["capex_cny"], ",.2f"),
      s0["lines"][0]["device"], "workload.tokens_per_day", "price_server_cny"])

plans = ["plans/doubao-minsheng-2024.yaml", "plans/doubao-roofline.yaml"]
js = json.loads(run("batch", *plans, "--format", "json"))
page("batch", ["batch", *plans],
     [js["rows"][0]["scenario"], format(js["rows"][0]["capex_cny"], ",.2f"),
      "Batch of 2 plans"])

sw = ["sweep", "plans/doubao-mandate-sweep.yaml", "--vary",
      "constraints.domestic_share.min=0:0.6:0.2"]
js = json.loads(run(*sw, "--format", "json"))
page("sweep", sw, [format(js["rows"][0]["capex_cny"], ",.2f"),
                   "constraints.domestic_share.min"])

mc = ["montecarlo", "plans/doubao-montecarlo.yaml", "--samples", "60"]
js = json.loads(run(*mc, "--format", "json"))
q = [q for q in js["scenarios"][0]["quantities"] if q["name"] == "capex_cny"][0]
page("montecarlo", mc, [format(q["p50"], ",.0f"), "Percentiles"])

per = "plans/doubao-2025-26.yaml"
js = json.loads(run("plan", per, "--format", "json"))
ok = [s for s in js["scenarios"] if s["status"] == "optimal"]
page("periods", ["plan", per],
     [s["name"] for s in js["scenarios"]] +
     [format(s["npv_cny"], ",.2f") for s in ok] +
     [ok[0]["periods"][0]["name"], ok[0]["periods"][0]["devices"][0]["device"],
      "Fleet in service by vendor per period"],
     ["Summary", "Schedule", "Assumptions", "Sources"])
with open(os.path.join(tmp, "periods.html"), encoding="utf-8") as f:
    n_svg = f.read().count("<svg")
check(n_svg == len(ok), "periods: %d schedule charts for %d solved scenarios"
      % (n_svg, len(ok)))

shutil.rmtree(tmp, ignore_errors=True)
print("html: %d failed" % len(failures))
sys.exit(1 if failures else 0)
