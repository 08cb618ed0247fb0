"""The report page's inline style sheet and script (the page itself is `report.render_report`).

The script's SHA-256 goes into the page's Content-Security-Policy, so the policy follows any
change here.
"""

__all__: list[str] = []

_CSS = """
:root{--fg:#1b1f24;--muted:#5b6570;--line:#d8dde3;--bg:#fff;--accent:#0072B2}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 20px}
header{padding-top:24px;border-bottom:1px solid var(--line)}
h1{font-size:1.6em;margin:0 0 4px}h2{margin-top:2em;border-bottom:1px solid var(--line)}h3{margin-bottom:.3em}
nav a{margin-right:14px}a{color:var(--accent)}
code{font:13px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f5f7;padding:0 3px;border-radius:3px;white-space:nowrap}
code.pattern{white-space:normal;overflow-wrap:anywhere}h3 code{font-size:1em}.nw{white-space:nowrap}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
.long{overflow-wrap:anywhere}.scroll{overflow-x:auto}
th{background:#f7f8fa;position:sticky;top:0}
.num{font-variant-numeric:tabular-nums;display:block;text-align:right}
.muted{color:var(--muted)}.verdict{font-weight:600}
.chart{margin:8px 0 20px}.chart svg{width:100%;height:auto;display:block;background:#fcfcfd;border:1px solid var(--line)}
svg text{font:12px system-ui,sans-serif;fill:#3b4450}
svg .axis line{stroke:#8a949e;stroke-width:1}svg .axis line.grid{stroke:#e6e9ed}
.map svg{background:#f4f8fb}svg .outlines path{fill:#fbfaf6;stroke:#8d8a80;stroke-width:.8;stroke-linejoin:round}
svg .graticule line{stroke:#c9d3dc;stroke-width:.6;stroke-dasharray:3 3}svg .graticule text{font-size:11px;fill:#6b7580}
svg .events circle{fill:#D55E00;fill-opacity:.55;stroke:#8a3c00;stroke-width:.4}svg .events circle:hover{fill-opacity:1;stroke-width:1.5}
figcaption{font-size:13px;margin-top:4px}
.legend{list-style:none;padding:0;margin:6px 0}.legend li{margin:2px 0}
.swatch{display:inline-block;width:14px;height:14px;border-radius:3px;margin-right:6px;vertical-align:-2px}
ul.enum{margin:0;padding-left:16px}
.grade{display:inline-block;min-width:1.6em;text-align:center;font-weight:700;border:1px solid var(--line);border-radius:3px}
.keys{color:var(--muted);font-size:14px}
footer{color:var(--muted);font-size:13px;padding-bottom:30px;margin-top:30px;border-top:1px solid var(--line)}
"""

_JS = """
"use strict";
(function () {
  var input = document.getElementById("dict-filter");
  var count = document.getElementById("dict-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.dictionary tbody tr"));
  function apply() {
    var q = input.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (tr) {
      var hit = !q || tr.textContent.toLowerCase().indexOf(q) >= 0;
      tr.hidden = !hit;
      if (hit) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " columns";
  }
  input.addEventListener("input", apply);
  apply();
  document.documentElement.setAttribute("data-report-ready", "1");
})();
"""
