// The officers' console: list with clocks highlighted, a report's view and history, actions, export, audit.
"use strict";
let current = null;
const ACTIONS = ["ack", "ask", "note", "resolve", "found", "not_found", "reveal"];

async function loadList() {
  const all = document.getElementById("all").checked ? "?all=1" : "";
  const data = await get("/officer/api/reports" + all);
  if (!data) return;
  const ul = document.getElementById("reports");
  ul.replaceChildren();
  document.getElementById("empty").hidden = data.reports.length > 0;
  for (const r of data.reports) {
    const li = el("li", "report " + r.urgency + " status-" + r.status);
    li.dataset.ref = r.ref;
    const flagged = Object.values(r.flags).some(f => f !== "ok");
    if (flagged || r.status === "new") li.classList.add("attention");
    const head = el("button", "open"); head.type = "button";
    head.append(el("span", "ref", r.ref), el("span", "badge urgency-" + r.urgency, r.urgency_label),
                el("span", "badge status", r.status_label));
    head.addEventListener("click", () => openReport(r.ref));
    li.appendChild(head);
    li.appendChild(el("div", "meta", r.category + " · " + r.created));
    const clocks = el("div", "clocks");
    for (const [name, at] of Object.entries(r.deadlines)) {
      const flag = r.flags[name] || "ok";
      clocks.appendChild(el("span", "clock " + flag,
        tx("web.officer.deadline." + name) + " " + at + " · " + tx("web.officer.flag." + flag)));
    }
    li.appendChild(clocks);
    if (r.ref === current) li.classList.add("current");
    ul.appendChild(li);
  }
}

async function openReport(ref) {
  const r = await post("/officer/api/report", {ref: ref});
  if (!r.ok) { document.getElementById("action-result").textContent = r.data.error || ""; return; }
  current = ref;
  const d = r.data;
  document.getElementById("pick").hidden = true;
  document.getElementById("view").hidden = false;
  document.getElementById("view-header").textContent = d.header;
  document.getElementById("view-summary").textContent = d.summary;
  document.getElementById("view-reporter").textContent = d.reporter;
  const dl = document.getElementById("view-deadlines"); dl.replaceChildren();
  for (const [name, at] of Object.entries(d.deadlines)) dl.appendChild(el("li", "", tx("web.officer.deadline." + name) + "：" + at));
  const hist = document.getElementById("view-history"); hist.replaceChildren();
  for (const line of d.history) hist.appendChild(el("li", "", line));
  const box = document.getElementById("actions"); box.replaceChildren();
  for (const a of ACTIONS) {
    if (!d.actions.includes(a)) continue;
    const b = el("button", "action", tx("web.officer.action." + a)); b.type = "button"; b.dataset.action = a;
    b.addEventListener("click", () => act(a));
    box.appendChild(b);
  }
  for (const li of document.querySelectorAll("#reports li")) li.classList.toggle("current", li.dataset.ref === ref);
}

async function act(action) {
  const text = document.getElementById("action-text");
  const r = await post("/officer/api/action", {ref: current, action: action, text: text.value, nonce: nonce()});
  document.getElementById("action-result").textContent = (r.data && (r.data.message || r.data.error)) || "";
  if (r.ok) { text.value = ""; await openReport(current); await loadList(); }
}

document.getElementById("refresh").addEventListener("click", loadList);
document.getElementById("all").addEventListener("change", loadList);
document.getElementById("audit").addEventListener("click", async () => {
  const r = await post("/officer/api/audit");
  document.getElementById("audit-result").textContent = (r.data && (r.data.message || r.data.error)) || "";
});
document.getElementById("export").addEventListener("click", async () => {
  const r = await fetch("/officer/api/export", {method: "POST", credentials: "same-origin", cache: "no-store",
                                                headers: {"X-CSRF-Token": csrf()}});
  if (!r.ok) return;
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement("a"); a.href = url; a.download = "libao-reports.csv";
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});
bindLogout();
loadList();
// Report notices (new reports, escalations, deadlines) on top, newest first.
async function loadNotices() {
  const n = await get("/api/notices");
  const ul = document.getElementById("notices");
  if (n) for (const m of n.messages) ul.prepend(el("li", "", m.text));
}
// Live updates by polling (README: why not server-sent events): no content in URLs, nothing cached.
setInterval(() => { loadList(); loadNotices(); }, 15000);
loadNotices();
