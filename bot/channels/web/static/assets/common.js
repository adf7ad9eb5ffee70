// Shared helpers: texts from the page's JSON block, JSON POST with the CSRF token, safe rendering.
"use strict";
const TEXTS = JSON.parse(document.getElementById("texts").textContent);
function tx(key) { return TEXTS[key] || key; }
function csrf() { return document.querySelector('meta[name="csrf"]').content; }
function nonce() {
  const a = new Uint8Array(16); crypto.getRandomValues(a);
  return Array.from(a, b => b.toString(16).padStart(2, "0")).join("");
}
async function post(url, body) {
  const r = await fetch(url, {
    method: "POST", credentials: "same-origin", cache: "no-store",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
    body: JSON.stringify(body || {}),
  });
  let data = {};
  try { data = await r.json(); } catch (e) { data = {}; }
  return {ok: r.ok, status: r.status, data: data, response: r};
}
async function get(url) {
  const r = await fetch(url, {credentials: "same-origin", cache: "no-store"});
  if (r.status === 401) { location.href = "/login"; return null; }
  return r.ok ? r.json() : null;
}
// Text with 【…】 spans (problem spans, titles) as <mark>; never innerHTML.
function richText(el, text) {
  const parts = text.split(/(【[^】\n]*】)/);
  for (const part of parts) {
    if (part.startsWith("【") && part.endsWith("】")) {
      const m = document.createElement("mark"); m.textContent = part; el.appendChild(m);
    } else if (part) {
      el.appendChild(document.createTextNode(part));
    }
  }
}
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function bindLogout() {
  const b = document.getElementById("logout");
  if (b) b.addEventListener("click", async () => { await post("/api/logout"); location.href = "/login"; });
}
