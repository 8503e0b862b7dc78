// Public ticket status (the phone page behind the QR code): follows one ticket over Socket.IO and
// redraws on every change; asks again every 30 s so the wait estimate keeps up with the clock.
//
// When the number is called (or the documents are ready at a loket) the page alerts a citizen who
// waits outside: a banner across the top, a vibration where the browser allows it
// (navigator.vibrate: Android browsers; iPhones have none) and a beep drawn with the Web Audio API.
// Browsers let a page make sound only after a touch on it, so the first touch anywhere arms the
// sound, and the page says so. Times are the office's (its zone), not the phone's.
(function () {
  "use strict";
  const root = document.getElementById("status");
  const text = JSON.parse(document.getElementById("status-text").textContent);
  const publicId = root.dataset.publicId;
  const lang = root.dataset.lang || "id";
  const tzLabel = root.dataset.tzLabel || "";
  const $ = (id) => document.getElementById(id);
  const baseTitle = document.title;

  function fmt(s, vals) { return s.replace(/\{(\w+)\}/g, (_, k) => (k in vals ? vals[k] : "")); }

  // -- the office's clock ------------------------------------------------------------------------
  let clock = null;
  try {
    clock = new Intl.DateTimeFormat(lang === "id" ? "id-ID" : "en-GB",
      {hour: "2-digit", minute: "2-digit", hour12: false, timeZone: root.dataset.tz || undefined});
  } catch (e) { clock = null; }
  function officeTime(d) {
    let h = String(d.getHours()).padStart(2, "0"), m = String(d.getMinutes()).padStart(2, "0");
    if (clock) {
      const parts = clock.formatToParts(d);
      h = parts.find((p) => p.type === "hour").value;
      m = parts.find((p) => p.type === "minute").value;
    }
    return `${h}${lang === "id" ? "." : ":"}${m}${tzLabel ? ` ${tzLabel}` : ""}`;
  }

  // -- sound: armed by the first touch -----------------------------------------------------------
  const AudioCtx = window.AudioContext || window.webkitAudioContext;
  let audio = null;
  const soundButton = $("st-sound");
  function arm() {
    if (!AudioCtx) { soundButton.dataset.state = "none"; soundButton.textContent = text.sound_none; return; }
    try {
      if (!audio) audio = new AudioCtx();
      if (audio.state === "suspended") audio.resume();
      soundButton.dataset.state = "on";
      soundButton.textContent = text.sound_on;
    } catch (e) { audio = null; }
  }
  document.addEventListener("pointerdown", arm, {passive: true});
  document.addEventListener("keydown", arm);
  soundButton.addEventListener("click", arm);

  function beep() {
    if (!AudioCtx) return;
    try {
      if (!audio) audio = new AudioCtx();  // not armed yet: it may stay silent until a touch
      if (audio.state === "suspended") audio.resume();
      const start = audio.currentTime + 0.05;
      for (let i = 0; i < 3; i++) {  // three short tones, a ding-dong a phone in a pocket is heard by
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = i % 2 ? 660 : 880;
        const at = start + i * 0.45;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.6, at + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.38);
        osc.connect(gain).connect(audio.destination);
        osc.start(at);
        osc.stop(at + 0.4);
      }
    } catch (e) { /* no sound: the banner and the vibration still tell */ }
  }

  // -- the alert ---------------------------------------------------------------------------------
  let lastCall = null;  // what the ticket's last call looked like (status, ready, loket, step)
  let lastAlertAt = 0;
  function alertCall(t, loket, pickup) {
    lastAlertAt = Date.now();
    const alertBox = $("st-alert");
    $("st-alert-text").textContent = fmt(pickup ? text.alert_ready : text.alert_called, {loket: loket});
    alertBox.hidden = false;
    document.title = `${fmt(text.alert_title, {number: t.number})} · ${baseTitle}`;
    if (navigator.vibrate) {
      try { navigator.vibrate([400, 200, 400, 200, 400]); } catch (e) { /* not allowed */ }
    }
    beep();
    window.scrollTo(0, 0);
  }
  $("st-alert-ok").addEventListener("click", () => {
    $("st-alert").hidden = true;
    document.title = baseTitle;
    if (navigator.vibrate) { try { navigator.vibrate(0); } catch (e) { /* nothing to stop */ } }
  });

  let first = true;
  function render(t) {
    if (!t || t.error) return;
    // wanted at the loket for an in-person step (the e-KTP recording): where, and what for
    const inPerson = t.status === "in_progress" && !t.ready ? (t[text.purpose_field] || t.called_for || "") : "";
    const status = t.ready ? "ready" : (inPerson ? "in_person" : t.status);
    const loket = t.loket || text.a_loket;
    const step = t.current_step ? t.current_step.activity : "";
    $("st-status").dataset.status = t.status;
    $("st-status").textContent = text[t.status] || t.status;
    const banner = $("st-banner");
    banner.dataset.status = status;
    banner.textContent = fmt(text["banner_" + status] || "", {loket: loket, step: step, purpose: inPerson});
    $("st-position").textContent = t.position;
    $("st-wait").textContent = t.estimated_wait_minutes;
    document.querySelectorAll(".when-waiting").forEach((el) => { el.hidden = t.status !== "waiting"; });
    $("st-step").textContent = t.current_step ?
      `${t.current_step.number}/${t.steps_total} · ${t.current_step.activity}` : "-";
    $("st-loket").textContent = t.loket || "-";
    if (t.issued_at) $("st-issued").textContent = officeTime(new Date(t.issued_at));
    const total = t.steps_total || 1;
    const done = t.current_step ? t.current_step.number - 1 : total;
    $("st-bar").style.width = `${Math.round(100 * Math.max(0, done) / total)}%`;
    const missing = t.missing_documents || [];
    $("st-missing").hidden = !(t.status === "returned" && missing.length);
    const list = $("st-missing-list");
    list.replaceChildren(...missing.map((m) => { const li = document.createElement("li"); li.textContent = m; return li; }));
    $("st-bring").hidden = !(t.status === "waiting" || t.status === "called") || !(t.requirements || []).length;
    $("st-survey").hidden = t.status !== "done";
    $("st-updated").textContent = fmt(text.updated, {t: officeTime(new Date())});

    // A call: the ticket is called to a loket (first call, or the applicant wanted again later).
    const calling = t.status === "called" || (t.ready && t.status !== "done") || Boolean(inPerson);
    const call = calling ? `${t.status}|${t.ready}|${t.loket}|${t.current_step ? t.current_step.number : ""}` : null;
    // Each call comes as a "call" event (below); a change seen without one (a phone that was offline
    // at the moment) alerts too, once.
    if (call && call !== lastCall && !first && Date.now() - lastAlertAt > 10000) alertCall(t, loket, t.ready);
    if (call && first) {  // opened while called: the banner says so, without a sound nobody armed
      $("st-alert-text").textContent = fmt(t.ready ? text.alert_ready : text.alert_called, {loket: loket});
      $("st-alert").hidden = false;
    }
    if (!call) $("st-alert").hidden = true;
    lastCall = call;
    first = false;
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
  // A call of this ticket (the first call, a recall, the call to collect the documents).
  socket.on("call", (c) => {
    if (!c || Date.now() - lastAlertAt < 3000) return;  // already alerted for this call
    alertCall({number: c.number}, c.loket_name || text.a_loket, c.kind === "pickup");
  });
  setInterval(() => { if (socket.connected) follow(); }, 30000);
})();
