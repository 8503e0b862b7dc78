// Waiting-room display: state comes from the server over Socket.IO (push, never poll).
(function () {
  const text = JSON.parse(document.getElementById("display-text").textContent);
  const conn = document.getElementById("conn");
  const socket = io("/display", {transports: ["websocket", "polling"], reconnectionDelayMax: 2000});
  const el = id => document.getElementById(id);

  function showCall(c) {
    if (!c) return;
    el("now-number").textContent = c.number;
    el("now-loket").textContent = (c.kind === "pickup" ? text.pickup + " · " : "") + text.to + " " + c.loket_name;
    const now = el("now");
    now.classList.remove("flash"); void now.offsetWidth; now.classList.add("flash");
    document.body.dataset.lastCall = c.number + "@" + c.loket;
  }
  function render(s) {
    el("lokets").innerHTML = "";
    s.lokets.forEach(l => {
      const d = document.createElement("div");
      d.className = "loket"; d.dataset.loket = l.number;
      d.innerHTML = "<span class='ln'></span><span class='num'></span>";
      d.querySelector(".ln").textContent = l.name;
      d.querySelector(".num").textContent = l.serving ? l.serving.number : "-";
      el("lokets").appendChild(d);
    });
    el("recent").innerHTML = "";
    s.recent.forEach(c => {
      const li = document.createElement("li");
      li.textContent = c.number + " → " + c.loket_name;
      el("recent").appendChild(li);
    });
    el("ready").textContent = s.ready.length ? s.ready.join("  ") : "-";
    renderWaiting(s.waiting);
    if (s.recent.length && el("now-number").textContent === "-") {
      const c = s.recent[0];
      el("now-number").textContent = c.number;
      el("now-loket").textContent = text.to + " " + c.loket_name;
    }
  }
  function renderWaiting(w) {
    el("waiting").innerHTML = "";
    Object.keys(w).forEach(g => {
      const li = document.createElement("li");
      li.textContent = (text.groups[g] || g) + ": " + w[g];
      el("waiting").appendChild(li);
    });
  }
  socket.on("connect", () => { conn.dataset.state = "online"; conn.hidden = true; });
  socket.on("disconnect", () => { conn.dataset.state = "offline"; conn.hidden = false; conn.textContent = text.offline; });
  socket.on("snapshot", render);
  socket.on("queue", renderWaiting);
  socket.on("call", c => { showCall(c); socket.emit("snapshot", null, render); });

  function tick() {
    const now = new Date();
    el("clock").textContent = now.toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "id-ID",
      {timeZone: text.tz, weekday: "long", day: "numeric", month: "long", year: "numeric",
       hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }
  tick(); setInterval(tick, 1000);
})();
