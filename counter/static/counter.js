// Counter screen: live step timers against the Mutu Baku minutes, and live queue/ticket updates.
//
// Every counter in the office hears every ticket change, so a screen refreshes only for changes
// it shows: a ticket already on it, a ticket called to or served at its loket (from another PC of
// the same loket too), a file arriving at a step one of the user's roles does, or the queue of the
// loket it calls for. A refresh fetches the page and swaps its <main> in place
// (no reload: the socket, the scroll position and the header stay); it waits while the clerk is
// typing. Background requests say so (X-Antrean-Background), so they do not keep an unattended
// session alive. <body data-sync> is "pending" while a refresh is due, "idle" otherwise, and
// data-refreshes counts the refreshes done (both read by the browser tests).
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

  // A refused call (409 loket_busy) answers the POST with the page itself: the address bar shows the
  // counter again, so a reload or a refresh asks for the page, not the call.
  const first = document.querySelector("main.counter");
  if (first && first.dataset.canonical && location.pathname !== first.dataset.canonical) {
    history.replaceState(null, "", first.dataset.canonical);
  }

  if (typeof io === "undefined") return;
  const body = document.body;
  const BACKGROUND = {"X-Antrean-Background": "1"};
  body.dataset.sync = "idle";
  body.dataset.refreshes = "0";
  const socket = io("/counter", {transports: ["websocket", "polling"]});
  // One connection per page: printer-banner.js listens on this socket too (a second io("/counter")
  // would open a second connection, and every push would arrive twice).
  window.antreanCounterSocket = socket;
  socket.on("connect", () => { body.dataset.socket = "connected"; });
  socket.on("disconnect", () => { body.dataset.socket = "disconnected"; });

  function main() { return document.querySelector("main.counter"); }
  function listOf(attr) {
    try { return JSON.parse(main().dataset[attr] || "[]"); } catch (e) { return []; }
  }
  function shown(id) { return main().querySelector(`article.ticket-card[data-id="${id}"]`) !== null; }
  function typing() {
    const a = document.activeElement;
    return a && ["INPUT", "SELECT", "TEXTAREA"].includes(a.tagName) && a.value !== "";
  }
  // After a redirect the session has ended (the login page): go there for real.
  function leftCounter(resp) {
    return resp.redirected && new URL(resp.url).pathname !== new URL(location.href).pathname;
  }

  // -- the whole page's content, swapped in place --------------------------------------------
  let due = false, running = false;
  function refreshSoon() {
    body.dataset.sync = "pending";
    if (due) return;
    due = true;
    setTimeout(run, 300);  // one refresh for a burst of changes
  }
  async function run() {
    if (running) return;  // the refresh under way runs again when it ends
    if (typing()) { setTimeout(run, 2000); return; }
    running = true; due = false;
    try {
      const resp = await fetch(location.href, {headers: BACKGROUND, credentials: "same-origin"});
      if (leftCounter(resp)) { location.href = resp.url; return; }
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      const fresh = new DOMParser().parseFromString(await resp.text(), "text/html").querySelector("main.counter");
      if (!fresh) throw new Error("no counter in the answer");
      const open = main().querySelector("details.waiting-list");
      const wasOpen = open ? open.open : null;
      const notes = main().querySelector(".flashes");
      const freshNotes = fresh.querySelector(".flashes");
      if (notes && freshNotes && !freshNotes.children.length) {
        freshNotes.replaceWith(notes);  // the last action's message stays until the next one
      }
      const banner = document.getElementById("printer-banner");
      const freshBanner = fresh.querySelector("#printer-banner");
      if (banner && freshBanner) freshBanner.replaceWith(banner);  // printer-banner.js keeps it current
      main().replaceWith(document.adoptNode(fresh));
      const list = main().querySelector("details.waiting-list");
      if (list && wasOpen !== null) list.open = wasOpen;  // the clerk's own choice stays
      tick();
      body.dataset.refreshes = String(Number(body.dataset.refreshes) + 1);
    } catch (e) {
      due = true; setTimeout(run, 5000);  // the server is restarting: try again
      return;
    } finally {
      running = false;
    }
    if (due) setTimeout(run, 0); else body.dataset.sync = "idle";
  }

  socket.on("ticket", t => {
    const roles = listOf("roles");
    const here = t.loket && t.loket === main().dataset.loket && ["called", "in_progress"].includes(t.status);
    if (shown(t.id) || here || (t.status === "in_progress" && roles.includes(t.actor))) refreshSoon();
    if (t.status === "waiting" && servesGroup(t.group, t.loket)) redrawSoon();
  });

  // -- the queue bar and the loket's waiting list ----------------------------------------------
  function servesGroup(group, loket) {
    const box = main().querySelector(".waiting-list");
    if (!box) return false;
    const groups = listOf("groups");
    return !groups.length || groups.includes(group) || (loket && loket === main().dataset.loket);
  }
  socket.on("queue", counts => {
    let mine = false;
    Object.keys(counts).forEach(g => {
      const el = main().querySelector(`.count[data-group="${g}"] b`);
      if (el && el.textContent !== String(counts[g])) {
        el.textContent = counts[g];
        if (servesGroup(g, null)) mine = true;
      }
    });
    if (mine) redrawSoon();  // the loket's own list changed
  });

  let drawDue = false, drawing = false;
  function redrawSoon() {
    if (drawDue) return;
    drawDue = true;
    setTimeout(redrawWaiting, 300);  // at most one fetch for a burst of tickets
  }
  // The loket's waiting list, redrawn in place.
  async function redrawWaiting() {
    if (drawing) { setTimeout(redrawWaiting, 300); return; }
    drawDue = false;
    const box = main().querySelector(".waiting-list");
    if (!box) return;
    drawing = true;
    let tickets;
    try {
      const resp = await fetch(box.dataset.url, {headers: Object.assign({"Accept": "application/json"}, BACKGROUND),
                                                 credentials: "same-origin"});
      if (leftCounter(resp)) { location.href = resp.url; return; }
      if (!resp.ok) return;
      tickets = (await resp.json()).tickets;
    } catch (e) {
      return;
    } finally {
      drawing = false;
    }
    const target = main().querySelector(".waiting-list");  // the page may have been swapped meanwhile
    if (!target) return;
    const token = document.querySelector('input[name="csrf_token"]').value;
    const list = target.querySelector("ol");
    list.innerHTML = "";
    tickets.forEach(w => {
      const li = document.createElement("li");
      li.dataset.waiting = w.number;
      const b = document.createElement("b"); b.textContent = w.number;
      li.append(b, " " + w.service_name + " ");
      if (w.priority) {
        const badge = document.createElement("span"); badge.className = "badge";
        badge.textContent = target.dataset.priority; li.append(badge, " ");
      }
      const small = document.createElement("small");
      small.textContent = target.dataset.minutes.replace("{m}", Math.round(w.waiting_minutes));
      const form = document.createElement("form");
      form.method = "post"; form.className = "inline";
      form.action = target.dataset.callUrl.replace("/0/", "/" + w.id + "/");
      const csrf = document.createElement("input");
      csrf.type = "hidden"; csrf.name = "csrf_token"; csrf.value = token;
      const button = document.createElement("button"); button.textContent = target.dataset.call;
      form.append(csrf, button);
      li.append(small, " ", form);
      list.appendChild(li);
    });
    target.querySelector("summary .n").textContent = tickets.length;
  }
})();
