// Public ticket status (the phone page behind the QR code): follows one ticket over Socket.IO and
// redraws on every change; asks again every 30 s so the wait estimate keeps up with the clock.
(function () {
  "use strict";
  const root = document.getElementById("status");
  const text = JSON.parse(document.getElementById("status-text").textContent);
  const publicId = root.dataset.publicId;
  const lang = root.dataset.lang || "id";
  const $ = (id) => document.getElementById(id);

  function fmt(s, vals) { return s.replace(/\{(\w+)\}/g, (_, k) => (k in vals ? vals[k] : "")); }

  function render(t) {
    if (!t || t.error) return;
    const status = t.ready ? "ready" : t.status;
    const loket = t.loket || text.a_loket;
    const step = t.current_step ? t.current_step.activity : "";
    $("st-status").dataset.status = t.status;
    $("st-status").textContent = text[t.status] || t.status;
    const banner = $("st-banner");
    banner.dataset.status = status;
    banner.textContent = fmt(text["banner_" + status] || "", {loket: loket, step: step});
    $("st-position").textContent = t.position;
    $("st-wait").textContent = t.estimated_wait_minutes;
    document.querySelectorAll(".when-waiting").forEach((el) => { el.hidden = t.status !== "waiting"; });
    $("st-step").textContent = t.current_step ?
      `${t.current_step.number}/${t.steps_total} · ${t.current_step.activity}` : "-";
    $("st-loket").textContent = t.loket || "-";
    const total = t.steps_total || 1;
    const done = t.current_step ? t.current_step.number - 1 : total;
    $("st-bar").style.width = `${Math.round(100 * Math.max(0, done) / total)}%`;
    const missing = t.missing_documents || [];
    $("st-missing").hidden = !(t.status === "returned" && missing.length);
    const list = $("st-missing-list");
    list.replaceChildren(...missing.map((m) => { const li = document.createElement("li"); li.textContent = m; return li; }));
    $("st-bring").hidden = !(t.status === "waiting" || t.status === "called") || !(t.requirements || []).length;
    const now = new Date();
    $("st-updated").textContent = fmt(text.updated, {
      t: `${String(now.getHours()).padStart(2, "0")}${lang === "id" ? "." : ":"}${String(now.getMinutes()).padStart(2, "0")}`});
  }

  render(JSON.parse(document.getElementById("status-ticket").textContent));
  if (typeof io === "undefined") return;  // the socket library did not load: the page stays as served
  const socket = io("/ticket", {transports: ["websocket", "polling"]});
  function follow() { socket.emit("follow", {public_id: publicId}, render); }
  function live(on) {
    const el = $("st-live");
    el.dataset.state = on ? "online" : "offline";
    el.textContent = on ? text.online : text.offline;
  }
  socket.on("connect", () => { live(true); follow(); });
  socket.on("disconnect", () => live(false));
  socket.on("refresh", follow);
  setInterval(() => { if (socket.connected) follow(); }, 30000);
})();
