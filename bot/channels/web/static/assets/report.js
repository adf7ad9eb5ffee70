// Anonymous report: the same guided conversation as the chat's /report, then a receipt to come back with.
"use strict";
const flowLog = document.getElementById("log");
const form = document.getElementById("form");
const input = document.getElementById("input");

function addBot(msg) {
  const box = el("div", "msg bot");
  const body = el("div", "text"); richText(body, msg.text); box.appendChild(body);
  for (const row of msg.buttons || []) {
    const line = el("div", "buttons");
    for (const b of row) {
      if (b.data === undefined) continue;
      const btn = el("button", "tap", b.label); btn.type = "button";
      btn.addEventListener("click", () => step("/api/tap", {data: b.data, nonce: nonce()}));
      line.appendChild(btn);
    }
    box.appendChild(line);
  }
  flowLog.appendChild(box);
  box.scrollIntoView({block: "end"});
}
async function step(url, body) {
  const r = await post(url, body);
  if (!r.ok) { addBot({text: (r.data && r.data.error) || tx("web.chat.failed")}); return false; }
  for (const m of r.data.messages) addBot(m);
  return true;
}
document.getElementById("start").addEventListener("click", async () => {
  document.getElementById("start").hidden = true;
  form.hidden = false;
  await step("/api/send", {text: "/report", nonce: nonce()});
});
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!input.value.trim()) return;
  if (await step("/api/send", {text: input.value, nonce: nonce()})) input.value = "";
});

function showReceipt(reports) {
  const view = document.getElementById("receipt-view");
  view.replaceChildren();
  for (const r of reports) {
    const card = el("article", "card");
    card.appendChild(el("h3", "", r.ref + " · " + r.status));
    const ol = el("ol", "history");
    for (const line of r.events) ol.appendChild(el("li", "", line));
    card.appendChild(ol);
    if (r.awaiting_answer) {
      const ta = el("textarea"); ta.rows = 3; ta.maxLength = 2000; ta.className = "answer";
      ta.setAttribute("aria-label", tx("web.receipt.answer"));
      const btn = el("button", "answer-send", tx("web.receipt.answer_send")); btn.type = "button";
      const note = el("p", "muted");
      btn.addEventListener("click", async () => {
        const res = await post("/api/receipt/answer", {ref: r.ref, text: ta.value, nonce: nonce()});
        if (res.ok) { showReceipt(res.data.reports); document.getElementById("receipt-error").hidden = true;
                      const p = document.getElementById("receipt-error"); p.textContent = res.data.message; p.hidden = false; }
        else note.textContent = (res.data && res.data.error) || tx("web.chat.failed");
      });
      card.append(el("h4", "", tx("web.receipt.answer")), ta, btn, note);
    }
    view.appendChild(card);
  }
}
document.getElementById("receipt-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const err = document.getElementById("receipt-error");
  err.hidden = true;
  const r = await post("/api/receipt/open", {receipt: document.getElementById("receipt-code").value});
  document.getElementById("receipt-code").value = "";
  if (r.ok) showReceipt(r.data.reports);
  else { err.textContent = (r.data && r.data.error) || tx("web.receipt.unknown"); err.hidden = false; }
});

// While a receipt is open: a notice (acknowledged, a question, resolved) refreshes the view.
setInterval(async () => {
  if (!document.getElementById("receipt-view").childElementCount) return;
  const r = await fetch("/api/notices", {credentials: "same-origin", cache: "no-store"});
  if (!r.ok) return;
  const n = await r.json();
  if (!n.messages.length) return;
  const v = await fetch("/api/receipt", {credentials: "same-origin", cache: "no-store"});
  if (v.ok) showReceipt((await v.json()).reports);
}, 15000);
