"use strict";
document.getElementById("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  const err = document.getElementById("error");
  err.hidden = true;
  const r = await post("/api/login", {
    username: document.getElementById("username").value,
    password: document.getElementById("password").value,
    code: document.getElementById("code").value,
  });
  if (r.ok) { location.href = r.data.next; return; }
  document.getElementById("password").value = "";
  err.textContent = (r.data && r.data.error) || tx("web.error.login");
  err.hidden = false;
});
