// Counter screen: live step timers against the Mutu Baku minutes, and live queue/ticket updates.
// The page reloads itself on a change unless the clerk is typing in a form.
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function fmt(seconds) {
    const h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll(".timer[data-since]").forEach(el => {
      const secs = Math.max(0, Math.floor((now - Date.parse(el.dataset.since)) / 1000));
      const limit = parseFloat(el.dataset.minutes || "0") * 60;
      el.textContent = fmt(secs) + (limit ? " / " + fmt(limit) : "");
      const state = !limit ? "ok" : secs > limit ? "red" : secs > 0.8 * limit ? "amber" : "ok";
      el.classList.remove("timer-ok", "timer-amber", "timer-red");
      el.classList.add("timer-" + state);
      el.dataset.state = state;
    });
  }
  tick(); setInterval(tick, 1000);
  // A select marked data-autosubmit (the loket choice) sends its form when changed.
  document.querySelectorAll("select[data-autosubmit]").forEach(el => {
    el.addEventListener("change", () => el.form.submit());
  });

  if (typeof io === "undefined") return;
  const socket = io("/counter", {transports: ["websocket", "polling"]});
  let pending = false;
  function typing() {
    const a = document.activeElement;
    return a && ["INPUT", "SELECT", "TEXTAREA"].includes(a.tagName) && a.value !== "";
  }
  function refreshSoon() {
    if (pending) return;
    pending = true;
    const go = () => typing() ? setTimeout(go, 2000) : location.reload();
    setTimeout(go, 400);
  }
  socket.on("queue", counts => {
    Object.keys(counts).forEach(g => {
      const el = document.querySelector(`.count[data-group="${g}"] b`);
      if (el) el.textContent = counts[g];
    });
    redrawWaiting();  // the loket's own list changed
  });

  // The loket's waiting list, redrawn in place (no reload) when the queue changes.
  async function redrawWaiting() {
    const box = document.querySelector(".waiting-list");
    if (!box) return;
    const resp = await fetch(box.dataset.url, {headers: {"Accept": "application/json"}});
    if (!resp.ok) return;
    const tickets = (await resp.json()).tickets;
    const token = document.querySelector('input[name="csrf_token"]').value;
    const list = box.querySelector("ol");
    list.innerHTML = "";
    tickets.forEach(w => {
      const li = document.createElement("li");
      li.dataset.waiting = w.number;
      const b = document.createElement("b"); b.textContent = w.number;
      li.append(b, " " + w.service_name + " ");
      if (w.priority) {
        const badge = document.createElement("span"); badge.className = "badge";
        badge.textContent = box.dataset.priority; li.append(badge, " ");
      }
      const small = document.createElement("small");
      small.textContent = box.dataset.minutes.replace("{m}", Math.round(w.waiting_minutes));
      const form = document.createElement("form");
      form.method = "post"; form.className = "inline";
      form.action = box.dataset.callUrl.replace("/0/", "/" + w.id + "/");
      const csrf = document.createElement("input");
      csrf.type = "hidden"; csrf.name = "csrf_token"; csrf.value = token;
      const button = document.createElement("button"); button.textContent = box.dataset.call;
      form.append(csrf, button);
      li.append(small, " ", form);
      list.appendChild(li);
    });
    box.querySelector("summary .n").textContent = tickets.length;
  }
  socket.on("ticket", refreshSoon);
  socket.on("printer", p => { if (p.status !== "printed") refreshSoon(); });
})();
