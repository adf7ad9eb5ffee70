// The staff chat page: the assistant's replies with their buttons, like every other channel.
"use strict";
const log = document.getElementById("log");
const input = document.getElementById("input");
const toastEl = document.getElementById("toast");
let mode = "ask";

function toast(text) {
  toastEl.textContent = text; toastEl.hidden = false;
  clearTimeout(toast.timer); toast.timer = setTimeout(() => { toastEl.hidden = true; }, 2500);
}

function render(msg) {
  const box = el("div", "msg " + (msg.from === "me" ? "me" : "bot"));
  box.dataset.id = msg.id;
  const body = el("div", "text"); richText(body, msg.text); box.appendChild(body);
  for (const row of msg.buttons || []) {
    const line = el("div", "buttons");
    for (const b of row) {
      const btn = el("button", b.copy !== undefined ? "copy" : "tap", b.label);
      btn.type = "button";
      if (b.copy !== undefined) {
        btn.addEventListener("click", async () => {
          try { await navigator.clipboard.writeText(b.copy); toast(tx("web.chat.copied")); }
          catch (e) { toast(tx("web.chat.copy_failed")); }
        });
      } else {
        btn.addEventListener("click", () => tap(b.data, msg.id));
      }
      line.appendChild(btn);
    }
    box.appendChild(line);
  }
  return box;
}

function show(msg) {
  const old = log.querySelector(`.msg[data-id="${msg.id}"]`);
  const node = render(msg);
  if (old && msg.from === "bot") old.replaceWith(node); else log.appendChild(node);
  if (msg.toast) toast(msg.toast);
  node.scrollIntoView({block: "end"});
}

async function call(url, body) {
  const r = await post(url, body);
  if (r.status === 401) { location.href = "/login"; return; }
  if (!r.ok) { toast((r.data && r.data.error) || tx("web.chat.failed")); return false; }
  for (const m of r.data.messages) show(m);
  return true;
}

async function send(text) {
  document.getElementById("send").disabled = true;
  try { return await call("/api/send", {text: text, nonce: nonce()}); }
  finally { document.getElementById("send").disabled = false; }
}
function tap(data, id) { return call("/api/tap", {data: data, id: id, nonce: nonce()}); }

function setMode(m) {
  mode = m;
  for (const b of document.querySelectorAll(".mode")) b.classList.toggle("on", b.dataset.mode === m);
  input.focus();
}

document.getElementById("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const raw = input.value;
  if (!raw.trim()) return;
  const text = mode === "check" && !raw.trim().startsWith("/") ? "/check " + raw : raw;
  if (await send(text)) input.value = "";  // kept on failure: nothing typed is lost
});
input.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); document.getElementById("send").click(); }
});
for (const b of document.querySelectorAll(".mode")) b.addEventListener("click", () => setMode(b.dataset.mode));
for (const b of document.querySelectorAll("[data-command]")) b.addEventListener("click", () => send(b.dataset.command));
bindLogout();

(async () => {
  const h = await get("/api/history");
  if (!h) return;
  document.getElementById("who").textContent = tx("web.chat.signed_in_as") + h.user;
  if (h.role === "officer" || h.role === "admin") document.getElementById("officer-link").hidden = false;
  for (const m of h.messages) show(m);
  await pollNotices();
})();

// Report notices for this person (officers: new reports, escalations, deadlines), polled like the console's list.
async function pollNotices() {
  const n = await get("/api/notices");
  if (n) for (const m of n.messages) show(m);
}
setInterval(pollNotices, 15000);
