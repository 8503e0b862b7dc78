// Waiting-room display: state and calls are pushed by the server over Socket.IO (never polled).
// Every call is shown at once and announced (chime, then the spoken sentence(s)) through ONE
// audio element, strictly one after another: a burst of calls is queued, never dropped or mixed.
//
// State exposed for tests and support (on <body>):
//   data-audio     "idle" | "playing" | "blocked" (the browser wants a tap first) | "off" (?sound=off)
//   data-announced announcements played to the end (chime + speech)
//   data-queued    announcements waiting
//   data-speech    "on" | "off": whether the server can speak (otherwise the display only chimes)
//   data-last-call "<number>@<loket>" of the newest call shown
// and window.antreanAudio: .log (one entry per announcement: start and end of each file played),
// .element (the one <audio> element), .queue (what waits).
(function () {
  "use strict";
  const text = JSON.parse(document.getElementById("display-text").textContent);
  const el = id => document.getElementById(id);
  const body = document.body;
  const conn = el("conn");
  const gate = el("sound-gate");
  const MAX_AGE_MS = 5 * 60 * 1000;   // an announcement still unplayed after 5 minutes is stale
  const MISSED_MS = 2 * 60 * 1000;    // calls missed while offline are announced if this recent

  // ---------------------------------------------------------------- announcements (audio) --
  const audio = new Audio();
  audio.preload = "auto";
  const queue = [];
  const log = [];
  const seen = new Set();
  const seenOrder = [];
  let busy = false;
  let blocked = false;
  let newestAt = null;

  window.antreanAudio = {queue: queue, log: log, element: audio, get state() { return body.dataset.audio; }};
  body.dataset.announced = "0";
  body.dataset.queued = "0";

  function setState(s) { body.dataset.audio = s; }

  // A tiny silent WAV, to learn at start whether the browser lets this page play sound.
  function silentWav() {
    const rate = 8000, n = 800, buf = new ArrayBuffer(44 + n * 2), v = new DataView(buf);
    const w = (o, s) => { for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); };
    w(0, "RIFF"); v.setUint32(4, 36 + n * 2, true); w(8, "WAVE"); w(12, "fmt ");
    v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
    v.setUint32(24, rate, true); v.setUint32(28, rate * 2, true); v.setUint16(32, 2, true);
    v.setUint16(34, 16, true); w(36, "data"); v.setUint32(40, n * 2, true);
    return URL.createObjectURL(new Blob([buf], {type: "audio/wav"}));
  }
  const SILENCE = silentWav();

  function isBlock(err) { return err && err.name === "NotAllowedError"; }

  // Play one file to its end. Resolves true (ended) or false (missing/broken file: go on);
  // rejects only when the browser refuses to play without a tap.
  function playOnce(src) {
    return new Promise((resolve, reject) => {
      let done = false, watchdog = null;
      const finish = (ok, err) => {
        if (done) return;
        done = true;
        clearTimeout(watchdog);
        audio.onended = audio.onerror = null;
        if (err) reject(err); else resolve(ok);
      };
      audio.onended = () => finish(true);
      audio.onerror = () => finish(false);
      audio.src = src;
      let played;
      try { played = audio.play(); } catch (err) { finish(false, isBlock(err) ? err : null); return; }
      Promise.resolve(played).then(() => {
        const ms = isFinite(audio.duration) && audio.duration > 0 ? audio.duration * 1000 + 3000 : 30000;
        watchdog = setTimeout(() => finish(false), Math.min(ms, 60000));
      }, err => finish(false, isBlock(err) ? err : null));
    });
  }

  let probe = Promise.resolve();
  if (text.sound === "off") {
    setState("off");
  } else {
    setState("idle");
    probe = playOnce(SILENCE).then(() => {}, err => { if (isBlock(err)) block(); });
  }

  function block() {
    blocked = true;
    setState("blocked");
    gate.hidden = false;
  }

  function unlock() {
    if (!blocked) return;
    blocked = false;
    gate.hidden = true;
    setState(queue.length ? "playing" : "idle");
    // play() inside the tap itself: from now on the page may play sound
    audio.src = SILENCE;
    Promise.resolve(audio.play()).catch(() => {}).then(pump);
  }
  // any tap, click or key (a TV remote) anywhere; a tap activates the page for sound (transient
  // user activation), so play() inside these handlers is allowed
  ["click", "keydown", "touchend"].forEach(t => window.addEventListener(t, unlock, {capture: true}));

  async function pump() {
    if (busy || blocked) return;
    busy = true;
    try {
      await probe;
      while (queue.length && !blocked) {
        const item = queue[0];
        if (Date.now() - item.queuedAt > MAX_AGE_MS && !item.entry.parts.length) {
          queue.shift();
          body.dataset.stale = String((+body.dataset.stale || 0) + 1);
          continue;
        }
        setState("playing");
        try {
          while (item.part < item.srcs.length) {
            const src = item.srcs[item.part];
            const start = performance.now();
            const ok = await playOnce(src);
            item.entry.parts.push({src: src, ok: ok, start: start, end: performance.now()});
            item.part++;
          }
        } catch (err) {   // the browser wants a tap first: keep this announcement at the head
          block();
          return;
        }
        queue.shift();
        item.entry.end = performance.now();
        log.push(item.entry);
        body.dataset.announced = String(log.length);
        body.dataset.queued = String(queue.length);
      }
      if (!blocked) setState("idle");
    } finally {
      busy = false;
    }
  }

  function callKey(c) { return c.ticket_id + "|" + c.kind + "|" + c.at; }
  function callTime(c) { return Date.parse(String(c.at).replace(/(\.\d{3})\d+/, "$1")); }

  function remember(c) {
    const key = callKey(c);
    if (seen.has(key)) return false;
    seen.add(key);
    seenOrder.push(key);
    if (seenOrder.length > 500) seen.delete(seenOrder.shift());
    const t = callTime(c);
    if (newestAt === null || t > newestAt) newestAt = t;
    return true;
  }

  function announce(c) {
    if (text.sound === "off") return;
    const speech = (c.announce || []).map(a => a.audio).filter(Boolean);
    queue.push({
      srcs: [text.chime].concat(speech), part: 0, queuedAt: Date.now(),
      entry: {number: c.number, kind: c.kind, loket: c.loket, received: performance.now(),
              texts: (c.announce || []).map(a => a.text), parts: [], end: null},
    });
    body.dataset.queued = String(queue.length);
    pump();
  }

  // ------------------------------------------------------------------------- the screen --
  // What a call asks the applicant to come for, in this screen's language ("" for the intake call).
  function purpose(c) { return (c && c[text.purpose_field]) || ""; }

  // The line under "silakan menuju Loket 1": "Panggilan ulang", "untuk perekaman e-KTP", ...
  function kindLine(c) {
    const p = purpose(c);
    const parts = [];
    if (c.kind === "recall") parts.push(text.kinds.recall);
    if (p) parts.push(text.for + " " + p);
    else if (c.kind !== "recall") parts.push(text.kinds[c.kind] || "");
    return parts.filter(Boolean).join(", ");
  }

  // The mark of a row of the last calls, in words: "Panggilan ulang", "Pengambilan surat",
  // "Perekaman e-KTP" (what the call was for), nothing for a first call.
  function rowTag(c) {
    const p = purpose(c);
    if (c.kind === "recall") return [text.kinds.recall, p].filter(Boolean).join(": ");
    return (p ? p.charAt(0).toUpperCase() + p.slice(1) : "") || text.kinds[c.kind] || "";
  }

  function showNow(c) {
    el("now-number").textContent = c.number;
    el("now-loket").textContent = text.to + " " + c.loket_name;
    el("now-kind").textContent = kindLine(c);
  }

  function setTile(tile, number) {
    const num = tile.querySelector(".num");
    num.textContent = number || "-";
    num.classList.toggle("idle", !number);
  }

  function flash(node) {
    node.classList.remove("called"); void node.offsetWidth; node.classList.add("called");
  }

  function showCall(c) {
    showNow(c);
    flash(el("now"));
    const tile = document.querySelector("#lokets [data-loket='" + c.loket + "']");
    if (tile) {
      setTile(tile, c.number);
      flash(tile);
    }
    body.dataset.lastCall = c.number + "@" + c.loket;
  }

  function onCall(c) {
    if (!c || !remember(c)) return;   // each call once, even if delivered twice
    showCall(c);
    announce(c);
  }

  // The lokets' tiles are kept (a tile flashing for a call keeps flashing when the snapshot that
  // follows the call arrives); their numbers are the snapshot's truth: "-" when nobody is served.
  function renderLokets(lokets) {
    const box = el("lokets");
    const keep = {};
    box.querySelectorAll(".loket").forEach(d => { keep[d.dataset.loket] = d; });
    lokets.forEach((l, i) => {
      let d = keep[l.number];
      if (!d) {
        d = document.createElement("div");
        d.className = "loket"; d.dataset.loket = l.number;
        d.innerHTML = "<span class='ln'></span><span class='num'></span>";
      }
      delete keep[l.number];
      d.querySelector(".ln").textContent = l.name;
      setTile(d, l.serving ? l.serving.number : "");
      d.dataset.serving = l.serving ? l.serving.number : "";
      if (box.children[i] !== d) box.insertBefore(d, box.children[i] || null);
    });
    Object.keys(keep).forEach(k => keep[k].remove());
  }

  function renderRecent(calls) {
    const recent = el("recent");
    recent.innerHTML = "";
    calls.forEach(c => {
      const li = document.createElement("li");
      li.dataset.kind = c.kind;
      li.innerHTML = "<b></b><span class='where'></span><span class='tag'></span>";
      li.querySelector("b").textContent = c.number;
      li.querySelector(".where").textContent = c.loket_name;
      li.querySelector(".tag").textContent = rowTag(c);
      recent.appendChild(li);
    });
    fitRecent();
  }

  // Only whole rows of the last calls: a row that does not fit its box is hidden, not cut.
  function fitRecent() {
    const recent = el("recent");
    const bottom = recent.parentElement.getBoundingClientRect().bottom;
    let full = false;
    Array.from(recent.children).forEach(li => {
      li.hidden = false;
      if (!full && li.getBoundingClientRect().bottom > bottom + 0.5) full = true;
      if (full) li.hidden = true;
    });
  }

  // The documents ready: as many numbers as fit (two lines), then "+N lainnya".
  let readyNumbers = [];
  function renderReady(numbers) {
    readyNumbers = numbers.slice();
    const p = el("ready");
    p.innerHTML = "";
    p.dataset.count = String(numbers.length);
    if (!numbers.length) { p.textContent = "-"; return; }
    numbers.forEach(n => {
      const span = document.createElement("span");
      span.textContent = n;
      p.appendChild(span);
    });
    let shown = numbers.length;
    const more = document.createElement("span");
    more.className = "more";
    while (p.scrollHeight > p.clientHeight + 1 && shown > 0) {
      const spans = p.querySelectorAll("span:not(.more)");
      spans[spans.length - 1].remove();
      shown--;
      more.textContent = text.more.replace("{n}", String(numbers.length - shown));
      if (!more.parentNode) p.appendChild(more);
    }
    p.dataset.shown = String(shown);
  }

  window.addEventListener("resize", () => { renderReady(readyNumbers); fitRecent(); });

  function render(s) {
    if (!s) return;
    renderLokets(s.lokets);
    renderWaiting(s.waiting);
    renderReady(s.ready);     // the ready list keeps its place; the last calls take what is left
    renderRecent(s.recent);
    if (s.recent.length && el("now-number").textContent === "-") showNow(s.recent[0]);
    if ("running_text" in s) setRunningText(s.running_text);
    if (s.speech) body.dataset.speech = s.speech.available ? "on" : "off";
  }

  function renderWaiting(w) {
    const ul = el("waiting");
    ul.innerHTML = "";
    Object.keys(w).forEach(g => {
      const li = document.createElement("li");
      li.dataset.group = g;
      li.innerHTML = "<span></span><b></b>";
      li.querySelector("span").textContent = text.groups[g] || g;
      li.querySelector("b").textContent = w[g];
      ul.appendChild(li);
    });
  }

  function setRunningText(t) {
    const span = el("running-text");
    if (span.textContent === (t || "") && !el("ticker").hidden === !!t) return;
    span.textContent = t || "";
    el("ticker").hidden = !t;
    // about 9 characters a second, whatever the length
    span.style.animationDuration = Math.max(12, Math.round((t || "").length / 9) + 10) + "s";
    // the side column got taller or shorter: fit its lists again
    renderReady(readyNumbers); fitRecent();
  }

  // After a reconnect: show and announce the calls made while this screen was offline.
  function catchUp(s) {
    const now = callTime({at: s.at});
    const missed = s.recent.slice().reverse().filter(c =>
      !seen.has(callKey(c)) && (newestAt === null || callTime(c) > newestAt) && now - callTime(c) <= MISSED_MS);
    missed.forEach(onCall);
  }

  // ------------------------------------------------------------------------- the socket --
  const socket = io("/display", {transports: ["websocket", "polling"], reconnectionDelayMax: 2000});
  // The server sends the snapshot from its connect handler, so it can arrive before "connect"
  // fires here: a lost connection, not the "connect" event, marks the next snapshot as a resync.
  let resync = false;
  socket.on("connect", () => { conn.dataset.state = "online"; conn.hidden = true; });
  socket.on("disconnect", () => {
    resync = true;
    conn.dataset.state = "offline"; conn.hidden = false; conn.textContent = text.offline;
  });
  socket.on("snapshot", s => {
    render(s);
    // calls missed while offline are shown and announced, then the tiles show the truth again:
    // a ticket called and finished while this screen was away is not "being served"
    if (resync) { resync = false; catchUp(s); renderLokets(s.lokets); }
    else if (newestAt === null) s.recent.forEach(remember);   // first load: nothing to announce
  });
  // After a call, or any change of what this screen shows (the queue, the documents ready, the
  // lokets), the server pushes a fresh snapshot shortly after; a change it does not show, nothing.
  socket.on("call", onCall);
  socket.on("settings", s => { if (s && "running_text" in s) setRunningText(s.running_text); });
  window.antreanDisplay = {socket: socket};

  // ------------------------------------------------------------------------- the clock --
  const locale = document.documentElement.lang === "en" ? "en-GB" : "id-ID";
  const dateFmt = new Intl.DateTimeFormat(locale, {timeZone: text.tz, weekday: "long", day: "numeric",
                                                   month: "long", year: "numeric"});
  const timeFmt = new Intl.DateTimeFormat("en-GB", {timeZone: text.tz, hour: "2-digit", minute: "2-digit",
                                                    second: "2-digit", hourCycle: "h23"});
  function tick() {
    const now = new Date();
    el("date").textContent = dateFmt.format(now);
    el("clock").textContent = timeFmt.format(now);
  }
  tick(); setInterval(tick, 1000);
})();
