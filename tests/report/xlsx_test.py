"""Workbook tests: every kind hetplan writes (plan, batch, sweep, montecarlo)
is opened with openpyxl (Debian python3-openpyxl); the sheet names, that
numeric columns hold numbers, one figure per sheet against the JSON report,
and that a scenario named =HYPERLINK("x") is a string cell, not a formula.

usage: python3 xlsx_test.py HETPLAN SOURCE_DIR   (run by ctest)
Exit 77 (skipped) when openpyxl is missing outside CI; a failure in CI.
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import openpyxl
except ImportError:
    if os.environ.get("CI"):
        print("openpyxl is missing (scripts/install-deps.sh installs "
              "python3-openpyxl)")
        sys.exit(1)
    print("SKIP: openpyxl is missing (apt-get install python3-openpyxl)")
    sys.exit(77)

HP, SRC = sys.argv[1], sys.argv[2]
CAT = os.path.join(SRC, "devices")
SHEETS = ["Summary", "Vendors", "SKUs", "Classes", "Assumptions", "Sources"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args, ok=(0,)):
    p = subprocess.run([HP, *args, "--catalog", CAT], cwd=SRC,
                       capture_output=True, text=True)
    if p.returncode not in ok:
        raise SystemExit("hetplan %s: exit %d\n%s" % (" ".join(args),
                                                      p.returncode, p.stderr))
    return p.stdout


def near(a, b, rel=1e-9):
    return isinstance(a, (int, float)) and abs(a - b) <= rel * max(1.0, abs(b))


def tables(ws):
    """Each table of a sheet: (title, header, rows), found by the bold
    title row above a header row."""
    out, rows = [], list(ws.iter_rows(values_only=False))
    i = 1
    while i < len(rows):
        r = rows[i]
        if r[0].value is not None and r[0].font.bold and (
                i + 1 < len(rows) and rows[i + 1][0].font.bold):
            title, head = r[0].value, [c.value for c in rows[i + 1]]
            body, j = [], i + 2
            while j < len(rows) and any(c.value is not None for c in rows[j]):
                body.append(rows[j])
                j += 1
            out.append((title, head, body))
            i = j
        else:
            i += 1
    return out


def table(ws, start):
    for t in tables(ws):
        if t[0].startswith(start):
            return t
    raise AssertionError("no table %r in sheet %s" % (start, ws.title))


def col(t, name):
    return t[1].index(name)


def numbers_are_numbers(wb, kind):
    """Every cell under a header with a unit or a count is a number (or
    empty): never a number written as text."""
    units = ("(CNY", "(kW)", "(tokens/s)", "(%)", "(ms)", "(years)",
             "(CNY/year)", "cards", "servers", "tokens/s per server")
    for ws in wb:
        for title, head, body in tables(ws):
            for k, h in enumerate(head):
                if not h or not any(u in h for u in units):
                    continue
                for r in body:
                    c = r[k]
                    if c.value is None:
                        continue
                    if not isinstance(c.value, (int, float)) or c.data_type != "n":
                        check(False, "%s: %s/%s: %r under %r is not a number"
                              % (kind, ws.title, title, c.value, h))
                        return


def open_wb(path, kind):
    wb = openpyxl.load_workbook(path)
    check(wb.sheetnames == SHEETS, "%s: sheets %s" % (kind, wb.sheetnames))
    numbers_are_numbers(wb, kind)
    return wb


tmp = tempfile.mkdtemp()

# --- plan ----------------------------------------------------------------
plan = "plans/doubao-roofline.yaml"
x = os.path.join(tmp, "plan.xlsx")
run("plan", plan, "-o", x)
js = json.loads(run("plan", plan, "--format", "json"))
wb = open_wb(x, "plan")
s0 = js["scenarios"][0]
t = table(wb["Summary"], "Scenarios")
row = t[2][0]
check(row[col(t, "scenario")].value == s0["name"], "plan: Summary scenario")
check(near(row[col(t, "capex (CNY)")].value, s0["capex_cny"]),
      "plan: Summary capex %r vs JSON %r" % (row[col(t, "capex (CNY)")].value,
                                             s0["capex_cny"]))
t = table(wb["Vendors"], "Vendors bought")
check(near(t[2][0][col(t, "power (kW)")].value, s0["vendors"][0]["power_kw"]),
      "plan: Vendors power")
check(len(wb["Vendors"]._charts) == 1, "plan: the vendor-mix chart")
t = table(wb["SKUs"], "SKUs bought")
check(near(t[2][0][col(t, "capex (CNY)")].value, s0["lines"][0]["capex_cny"]),
      "plan: SKUs capex")
t = table(wb["Classes"], "Request classes")
a0 = s0["assignments"][0]
check(t[2][0][col(t, "request class")].value == a0["request_class"] and
      near(t[2][0][col(t, "tokens/s")].value, a0["tokens_per_s"]),
      "plan: Classes tokens/s")
t = table(wb["Assumptions"], "Inputs")
tpd = [r for r in t[2] if r[col(t, "input")].value == "workload.tokens_per_day"
       and r[col(t, "scenario")].value == s0["name"]]
check(tpd and near(tpd[0][col(t, "value")].value, s0["demand"]["tokens_per_day"]),
      "plan: Assumptions tokens/day")
check(tpd and tpd[0][col(t, "from")].value.endswith("doubao-roofline.yaml"),
      "plan: Assumptions names the plan file")
t = table(wb["Sources"], "Card figures")
dev = json.loads(run("devices", "nvidia-h20", "--format", "json"))
price = [r for r in t[2] if r[0].value == "nvidia-h20"
         and r[col(t, "figure")].value == "price_server_cny"]
check(price and near(price[0][col(t, "value")].value,
                     dev["sources"]["price_server_cny"]["value"])
      and price[0][col(t, "reference")].value == dev["sources"]["price_server_cny"]["ref"],
      "plan: Sources price of nvidia-h20")

# A scenario named like a formula stays text.
evil = os.path.join(tmp, "evil.yaml")
with open(evil, "w") as f:
    f.write('name: "=cmd"\ndefaults:\n  workload: {model: {params: 70e9}, '
            'tokens_per_day: 1e10}\n  devices: [nvidia-h20]\nscenarios:\n'
            '  - name: \'=HYPERLINK("x")\'\n')
x = os.path.join(tmp, "evil.xlsx")
run("plan", evil, "-o", x, ok=(0,))
wb = openpyxl.load_workbook(x)
t = table(wb["Summary"], "Scenarios")
c = t[2][0][col(t, "scenario")]
check(c.value == '=HYPERLINK("x")' and c.data_type == "s",
      "formula-like name: %r is %s, want a string cell" % (c.value, c.data_type))
c = t[2][0][col(t, "plan")]
check(c.value == "=cmd" and c.data_type == "s", "formula-like plan name")

# --- batch ---------------------------------------------------------------
plans = ["plans/doubao-minsheng-2024.yaml", "plans/doubao-roofline.yaml"]
x = os.path.join(tmp, "batch.xlsx")
run("batch", *plans, "-o", x)
js = json.loads(run("batch", *plans, "--format", "json"))
wb = open_wb(x, "batch")
t = table(wb["Summary"], "Scenarios")
check(len(t[2]) >= len(js["rows"]), "batch: a Summary row per scenario")
last = js["rows"][-1]
r = [r for r in t[2] if r[col(t, "scenario")].value == last["scenario"]
     and r[col(t, "plan")].value == "doubao-roofline"]
check(r and near(r[0][col(t, "capex (CNY)")].value, last["capex_cny"]),
      "batch: Summary capex of the last scenario")
t = table(wb["Vendors"], "Capex by vendor")
check(len(t[2]) == len(js["rows"]), "batch: a vendor-mix row per scenario")
check(near(t[2][0][col(t, "NVIDIA capex (CNY)")].value,
           js["rows"][0]["vendors"]["NVIDIA"]["capex_cny"]),
      "batch: Vendors NVIDIA capex")
check(len(wb["Vendors"]._charts) == 1, "batch: the vendor-mix chart")

# --- sweep ---------------------------------------------------------------
sw = ["sweep", "plans/doubao-mandate-sweep.yaml", "--vary",
      "constraints.domestic_share.min=0:0.6:0.2"]
x = os.path.join(tmp, "sweep.xlsx")
run(*sw, "-o", x)
js = json.loads(run(*sw, "--format", "json"))
wb = open_wb(x, "sweep")
t = table(wb["Summary"], "Grid points")
check(len(t[2]) == len(js["rows"]), "sweep: a row per point and scenario")
j = js["rows"][-1]
r = t[2][-1]
check(r[col(t, "scenario")].value == j["scenario"] and (
    j["status"] != "optimal" or near(r[col(t, "capex (CNY)")].value, j["capex_cny"])),
    "sweep: Summary last row")
t = table(wb["Summary"], "Cost curve")
opt = [j for j in js["rows"] if j["scenario"] == js["rows"][0]["scenario"]
       and j["status"] == "optimal"]
check(len(t[2]) == len(opt) and near(t[2][0][1].value, opt[0]["capex_cny"]),
      "sweep: the cost curve's first capex")
check(len(wb["Summary"]._charts) == 1 and len(wb["Vendors"]._charts) == 1,
      "sweep: the cost-curve and vendor-mix charts")
t = table(wb["Assumptions"], "Inputs")
check(any(r[col(t, "input")].value == "constraints.domestic_share.min"
          and r[col(t, "from")].value == "command line (--vary)" for r in t[2]),
      "sweep: Assumptions names the varied key")

# --- montecarlo ----------------------------------------------------------
mc = ["montecarlo", "plans/doubao-montecarlo.yaml", "--samples", "60"]
x = os.path.join(tmp, "mc.xlsx")
run(*mc, "-o", x)
js = json.loads(run(*mc, "--format", "json"))
wb = open_wb(x, "montecarlo")
t = table(wb["Summary"], "Percentiles")
q = [q for q in js["scenarios"][0]["quantities"] if q["name"] == "capex_cny"][0]
r = [r for r in t[2] if r[1].value == "capex (CNY)"][0]
check(near(r[col(t, "P50")].value, q["p50"]) and near(r[col(t, "P90")].value, q["p90"]),
      "montecarlo: P50 %r vs JSON %r" % (r[col(t, "P50")].value, q["p50"]))
t = table(wb["Summary"], "Histogram")
check(sum(r[1].value for r in t[2]) == js["scenarios"][0]["optimal"],
      "montecarlo: the histogram counts every optimal sample")
check(len(wb["Summary"]._charts) == 1, "montecarlo: the histogram chart")
t = table(wb["Assumptions"], "Inputs")
check(any(r[col(t, "input")].value == "mfu" and "doubao-montecarlo.yaml:"
          in r[col(t, "from")].value for r in t[2]),
      "montecarlo: Assumptions names the uncertain: line")

# --- plan with periods (issue 22): Summary, Schedule, Assumptions, Sources -
per = "plans/doubao-2025-26.yaml"
x = os.path.join(tmp, "periods.xlsx")
run("plan", per, "-o", x)
js = json.loads(run("plan", per, "--format", "json"))
wb = openpyxl.load_workbook(x)
check(wb.sheetnames == ["Summary", "Schedule", "Assumptions", "Sources"],
      "periods: sheets %s" % wb.sheetnames)
numbers_are_numbers(wb, "periods")
ok = [s for s in js["scenarios"] if s["status"] == "optimal"]
check(ok, "periods: no optimal scenario in %s" % per)
s0 = ok[0]
t = table(wb["Summary"], "Scenarios over periods")
check(len(t[2]) == len(js["scenarios"]), "periods: a Summary row per scenario")
r = [r for r in t[2] if r[col(t, "scenario")].value == s0["name"]]
check(r and near(r[0][col(t, "NPV (CNY)")].value, s0["npv_cny"]),
      "periods: Summary NPV %r vs JSON %r"
      % (r and r[0][col(t, "NPV (CNY)")].value, s0["npv_cny"]))
if s0.get("myopic") and s0["myopic"]["objective_cny"] is not None:
    check(r and near(r[0][col(t, "myopic plan (CNY)")].value,
                     s0["myopic"]["objective_cny"]),
          "periods: Summary myopic plan")
t = table(wb["Schedule"], "Schedule: period x SKU")
n_rows = sum(len(p["devices"]) for s in ok for p in s["periods"])
check(len(t[2]) == n_rows, "periods: schedule rows %d vs JSON %d"
      % (len(t[2]), n_rows))
for s in ok:
    for p in s["periods"]:
        for dv in p["devices"]:
            r = [r for r in t[2] if r[col(t, "scenario")].value == s["name"]
                 and r[col(t, "period")].value == p["name"]
                 and r[col(t, "SKU")].value == dv["device"]]
            check(r and near(r[0][col(t, "bought (servers)")].value,
                             dv["bought"])
                  and near(r[0][col(t, "in service (servers)")].value,
                           dv["in_service"])
                  and near(r[0][col(t, "retired (servers)")].value,
                           dv["retired"]),
                  "periods: %s %s %s against JSON" % (s["name"], p["name"],
                                                      dv["device"]))
t = table(wb["Schedule"], "Per period")
p0 = s0["periods"][-1]
r = [r for r in t[2] if r[col(t, "scenario")].value == s0["name"]
     and r[col(t, "period")].value == p0["name"]]
check(r and near(r[0][col(t, "present value (CNY)")].value, p0["pv_cny"])
      and near(r[0][col(t, "demand (tokens/s)")].value,
               p0["demand_tokens_per_s"])
      and near(r[0][col(t, "power (kW)")].value, p0["power_mw"] * 1000),
      "periods: Per period PV, demand and power of %s" % p0["name"])
t = table(wb["Schedule"], "Fleet in service by vendor")
check(len(t[2]) == sum(len(s["periods"]) for s in ok),
      "periods: a fleet row per scenario and period")
check(len(wb["Schedule"]._charts) == 1, "periods: the fleet-by-vendor chart")
t = table(wb["Assumptions"], "Inputs")
years = [r for r in t[2] if r[col(t, "input")].value ==
         "periods.%s.years" % p0["name"]
         and r[col(t, "scenario")].value == s0["name"]]
check(years and near(years[0][col(t, "value")].value, p0["years"]),
      "periods: Assumptions names each period's length")
t = table(wb["Sources"], "Card figures")
check(any(r[col(t, "figure")].value == "price_server_cny" for r in t[2]),
      "periods: Sources has the prices")

# A plan with periods that cannot be planned: exit 4, the workbook still
# written, the period that fails named in the Summary.
x = os.path.join(tmp, "periods-infeasible.xlsx")
p = subprocess.run([HP, "plan", "tests/data/periods-infeasible.yaml",
                    "--catalog", "tests/data/catalog", "-o", x], cwd=SRC,
                   capture_output=True, text=True)
check(p.returncode == 4 and os.path.exists(x),
      "periods infeasible: exit %d, want 4 and a workbook" % p.returncode)
if os.path.exists(x):
    wb = openpyxl.load_workbook(x)
    t = table(wb["Summary"], "Scenarios over periods")
    r = t[2][0]
    check(r[col(t, "status")].value == "infeasible"
          and "'y2'" in (r[col(t, "explanation")].value or "")
          and r[col(t, "NPV (CNY)")].value is None,
          "periods infeasible: Summary %r" % ([c.value for c in r],))

print("xlsx: %d failed" % len(failures))
sys.exit(1 if failures else 0)
