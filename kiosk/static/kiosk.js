// Kiosk: service group -> service -> (confirmation) -> ticket. With the confirmation step on (the
// administrator's setting, on by default) a tap on a service shows it with its documents and two big
// buttons, "Ambil tiket" and "Kembali": one wrong tap prints nothing. One ticket per tap: the buttons
// lock on the first touch, and every tap carries a request_id, so a double tap, a stuck button or a retried request
// gets the same ticket back from the server. An untouched page returns to the start by itself.
(function () {
  "use strict";
  const root = document.getElementById("kiosk");
  const text = JSON.parse(document.getElementById("kiosk-text").textContent);
  const lang = root.dataset.lang || "id";
  const defaultLang = root.dataset.defaultLang || "id";
  const resultSeconds = +root.dataset.resultSeconds || 12;
  const faultSeconds = +root.dataset.faultSeconds || 45;
  const idleSeconds = +root.dataset.idleSeconds || 60;
  const refreshSeconds = +root.dataset.refreshSeconds || 60;  // availability and catalogue changes
  const services = document.getElementById("step-services");
  const bookingStep = document.getElementById("step-booking");
  const groups = document.getElementById("groups");
  const result = document.getElementById("step-result");
  const error = document.getElementById("kiosk-error");
  const busyNote = document.getElementById("kiosk-busy");
  const printState = document.getElementById("print-state");
  const countdown = document.getElementById("result-countdown");
  const confirmStep = document.getElementById("step-confirm");
  const serviceInfo = JSON.parse(document.getElementById("kiosk-services").textContent);
  let confirmOn = root.dataset.confirm !== "0";  // kept up to date by refresh()
  let chosen = null;  // the service button waiting for "Ambil tiket"
  let confirmGuardUntil = 0;  // the finger that chose the service must not also take the ticket
  const $$ = (sel) => Array.from(document.querySelectorAll(sel));

  // A print agent for this kiosk: open the page once with ?printer=NAME (docs/printing.md).
  const params = new URLSearchParams(location.search);
  if (params.has("printer")) {
    if (params.get("printer")) localStorage.setItem("antrean.printer", params.get("printer"));
    else localStorage.removeItem("antrean.printer");
  }
  const printer = localStorage.getItem("antrean.printer");
  // This kiosk's key (antrean token create --kind kiosk): open the page once with ?key=KEY. Sent with
  // every ticket request as X-Kiosk-Key: the kiosk's own allowance, and it may name its printer.
  if (params.has("key")) {
    if (params.get("key")) localStorage.setItem("antrean.kioskKey", params.get("key"));
    else localStorage.removeItem("antrean.kioskKey");
    const q = new URLSearchParams(location.search);
    q.delete("key");  // not left in the address bar or the history
    history.replaceState(null, "", `${location.pathname}${q.toString() ? `?${q}` : ""}`);
  }
  const kioskKey = localStorage.getItem("antrean.kioskKey");
  // Switching the language keeps the kiosk's other settings in its address (?idle=, ?result=).
  function withLang(code) {
    const q = new URLSearchParams(location.search);
    q.delete("printer");
    q.delete("key");
    q.set("lang", code);
    return `?${q.toString()}`;
  }
  document.querySelectorAll("nav.lang a[data-lang]").forEach((a) => { a.href = withLang(a.dataset.lang); });

  let busy = false, guardUntil = 0, lastTouch = Date.now();
  let countdownTimer = null, printTimer = null, resultUntil = 0;

  function fmt(s, vals) { return s.replace(/\{(\w+)\}/g, (_, k) => (k in vals ? vals[k] : "")); }

  // crypto.randomUUID needs a secure context (https or localhost); a kiosk on the office
  // network opens plain http, so fall back to getRandomValues (available everywhere).
  function requestId() {
    if (window.crypto && crypto.randomUUID) {
      try { return crypto.randomUUID(); } catch (e) { /* not a secure context */ }
    }
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function showError(message) { error.textContent = message; error.hidden = false; window.scrollTo(0, 0); }
  function selectedReason() {
    const on = document.querySelector('button.priority-choice[aria-pressed="true"]');
    return on ? on.dataset.reason : null;
  }

  // -- screens -------------------------------------------------------------------------------
  function showGroups() {
    $$(".group-services").forEach((g) => { g.hidden = true; });
    groups.hidden = false;
  }
  function showGroup(name) {
    groups.hidden = true;
    $$(".group-services").forEach((g) => { g.hidden = g.dataset.group !== name; });
    window.scrollTo(0, 0);
  }
  function showConfirm(button) {
    chosen = button;
    document.getElementById("confirm-service").textContent = button.dataset.name;
    const reason = selectedReason();
    const prio = document.getElementById("confirm-priority");
    prio.textContent = reason ? text.priority[reason] : "";
    prio.hidden = !reason;
    const docs = (serviceInfo[button.dataset.service] || {}).requirements || [];
    document.getElementById("confirm-docs").replaceChildren(...docs.map((d) => {
      const li = document.createElement("li"); li.textContent = d; return li;
    }));
    document.getElementById("confirm-docs").hidden = !docs.length;
    document.getElementById("confirm-none").hidden = !!docs.length;
    const meta = button.querySelector(".meta");
    document.getElementById("confirm-meta").textContent = meta ? meta.textContent : "";
    fillStandard(serviceInfo[button.dataset.service] || {});
    services.hidden = true; confirmStep.hidden = false; error.hidden = true;
    confirmGuardUntil = Date.now() + 600;
    window.scrollTo(0, 0);
  }
  // The Info view: the service's published Standar Pelayanan (six components), folded until asked for.
  const infoButton = document.getElementById("confirm-info");
  const infoPanel = document.getElementById("confirm-standard");
  function fillStandard(info) {
    const items = info.standard || [];
    document.getElementById("standard-components").replaceChildren(...items.flatMap((c) => {
      const dt = document.createElement("dt"); dt.textContent = c.label;
      const dd = document.createElement("dd"); dd.textContent = c.text;
      return [dt, dd];
    }));
    document.getElementById("standard-draft").hidden = !!info.adopted;
    document.getElementById("standard-url").textContent = info.info_url ? info.info_url : "";
    infoButton.hidden = !items.length;
    infoPanel.hidden = true; infoButton.setAttribute("aria-expanded", "false");
  }
  infoButton.addEventListener("click", () => {
    const open = infoPanel.hidden;
    infoPanel.hidden = !open; infoButton.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) infoPanel.scrollIntoView({ block: "start" });
  });
  function leaveConfirm() {
    // Back to the list the service was chosen from, with the priority choice kept.
    confirmStep.hidden = true; services.hidden = false;
    if (chosen) showGroup(chosen.closest(".group-services").dataset.group);
    chosen = null;
  }
  function showStart() {
    clearInterval(countdownTimer); clearTimeout(printTimer);
    bookingStep.hidden = true; typed = "";
    chosen = null; confirmStep.hidden = true;
    result.hidden = true; services.hidden = false; error.hidden = true;
    $$("button.priority-choice").forEach((b) => b.setAttribute("aria-pressed", "false"));
    showGroups();
    guardUntil = Date.now() + 800;  // a stuck or bouncing touch must not start the next ticket
    lastTouch = Date.now();
    refresh(true);
  }

  // -- availability (services closed, quota, office hours) -----------------------------------
  function applyAvailability(data) {
    if (data.kiosk && typeof data.kiosk.confirm === "boolean") confirmOn = data.kiosk.confirm;
    const banner = document.getElementById("office-closed");
    banner.textContent = data.office.message || "";
    banner.hidden = !data.office.message;
    data.services.forEach((s) => {
      const b = document.querySelector(`button.service[data-service="${s.code}"]`);
      if (!b) return;
      const open = s.availability.open;
      b.classList.toggle("closed", !open);
      b.dataset.closed = open ? "" : "1";
      if (!busy) b.disabled = !open;
      const reason = b.querySelector(".closed-reason");
      reason.textContent = open ? "" : s.availability.message;
      reason.hidden = open;
    });
  }
  async function refresh(backToDefaultLang) {
    try {
      const resp = await fetch(`/api/v1/services?lang=${encodeURIComponent(lang)}`, {cache: "no-store"});
      if (!resp.ok) return;
      const data = await resp.json();
      // The next citizen starts in the office's language; switch only while the server answers,
      // so a kiosk never navigates to an error page.
      if (backToDefaultLang && lang !== defaultLang) {
        location.replace(withLang(defaultLang));
        return;
      }
      // The administrator changed the services: an idle kiosk reloads to show them.
      if (String(data.catalogue_version) !== (root.dataset.catalogueVersion || "0")) {
        if (!busy && result.hidden && confirmStep.hidden && Date.now() - lastTouch > 5000) {
          location.reload(); return;
        }
      }
      applyAvailability(data);
    } catch (e) { /* offline: keep what is shown; the next tap says so */ }
  }

  // -- issuing ----------------------------------------------------------------------------------
  function lock(on, button) {
    busy = on;
    $$("button.service").forEach((b) => { b.disabled = on || b.dataset.closed === "1" || b.classList.contains("closed"); });
    $$("button.back, button.priority-choice, button.group, #confirm-back, #confirm-take").forEach((b) => { b.disabled = on; });
    if (button) button.classList.toggle("pressed", on);
    busyNote.hidden = !on;
  }

  async function post(body) {
    // Retried with the same request_id when the answer is lost: the server returns the same ticket.
    let lastError = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const headers = {"Content-Type": "application/json"};
        if (kioskKey) headers["X-Kiosk-Key"] = kioskKey;
        const resp = await fetch("/api/v1/tickets", {method: "POST", headers: headers, body: JSON.stringify(body)});
        const data = await resp.json().catch(() => ({}));
        if (resp.status === 503 && attempt < 2) {
          // The database is busy for a moment: ask again with the same request_id (never two tickets).
          lastError = null;
          await new Promise((r) => setTimeout(r, 1000 * (Number(data.retry_after) || 2)));
          continue;
        }
        return {resp, data};
      } catch (e) {
        lastError = e;
        await new Promise((r) => setTimeout(r, 700 * (attempt + 1)));
      }
    }
    throw lastError;
  }

  // Issues the ticket; true when it is on screen (false: refused or offline, the reason shown).
  async function issue(button) {
    if (busy || Date.now() < guardUntil || button.disabled) return false;
    lock(true, button);
    error.hidden = true;
    const reason = selectedReason();
    const body = {service: button.dataset.service, priority: !!reason, lang: lang, request_id: requestId()};
    if (reason) body.priority_reason = reason;
    if (printer) body.printer = printer;
    try {
      const {resp, data} = await post(body);
      if (resp.status === 409 && data.availability) {
        // Closed since the page was drawn (staff, quota, closing time): say why, grey it at once.
        showError(data.availability.message || text.failed);
        button.classList.add("closed");
        button.dataset.closed = "1";
        const reasonEl = button.querySelector(".closed-reason");
        reasonEl.textContent = data.availability.message || "";
        reasonEl.hidden = false;
        refresh(false);
        return false;
      }
      // 503 database busy, 429 too many tickets from this kiosk or address, 401 a wrong kiosk key:
      // the server's message says what to do
      if ([401, 429, 503].includes(resp.status)) { showError(data.error || text.failed); return false; }
      if (!resp.ok) { showError(text.failed); return false; }
      showResult(data, button.dataset.name, reason);
      return true;
    } catch (e) {
      showError(text.offline);
      return false;
    } finally {
      lock(false, button);
    }
  }

  // -- the ticket on screen ---------------------------------------------------------------------
  function startCountdown(seconds) {
    resultUntil = Date.now() + seconds * 1000;
    clearInterval(countdownTimer);
    const tick = () => {
      const left = Math.max(0, Math.ceil((resultUntil - Date.now()) / 1000));
      countdown.textContent = fmt(text.countdown, {s: left});
      if (left <= 0) showStart();
    };
    tick();
    countdownTimer = setInterval(tick, 250);
  }

  function setPrintState(state) {
    printState.dataset.state = state;
    printState.textContent = text[state] || text.printing;
  }

  function followPrint(ticket) {
    const started = Date.now();
    const poll = async () => {
      let state = "printing";
      try {
        const resp = await fetch(`/api/v1/tickets/${ticket.id}/print`, {cache: "no-store"});
        if (resp.ok) state = (await resp.json()).status;
      } catch (e) { state = "printing"; }
      if (result.hidden) return;
      if (state === "printed") { setPrintState("printed"); startCountdown(resultSeconds); return; }
      if (state === "none") { setPrintState("none"); startCountdown(faultSeconds); return; }
      if (state === "fault" || state === "cancelled" || Date.now() - started > 8000) {
        // Not printed (yet): keep the number and its QR code on screen longer. The job is retried
        // and prints when the printer is back; staff see the fault on their screens.
        setPrintState("fault"); startCountdown(faultSeconds); return;
      }
      printTimer = setTimeout(poll, 400);
    };
    poll();
  }

  function showResult(ticket, name, reason) {
    document.getElementById("result-number").textContent = ticket.number;
    document.getElementById("result-service").textContent = name;
    const prio = document.getElementById("result-priority");
    prio.textContent = reason ? text.priority[reason] : "";
    prio.hidden = !reason;
    document.getElementById("result-ahead").textContent =
      fmt(text.ahead, {n: ticket.position, m: ticket.estimated_wait_minutes});
    document.getElementById("result-qr").src = `/kiosk/qr/${ticket.public_id}.svg`;
    // a checked-in booking that gave a contact gets its messages already: no invitation to opt in
    const notified = Array.isArray(ticket.messages_to) && ticket.messages_to.length > 0;
    const invite = document.getElementById("result-notify");
    const told = document.getElementById("result-notify-on");
    if (invite) invite.hidden = notified;
    if (told) told.hidden = !notified;
    document.getElementById("result-preview").src = `/kiosk/preview/${ticket.public_id}.png?lang=${lang}`;
    setPrintState("printing");
    services.hidden = true; confirmStep.hidden = true; chosen = null; result.hidden = false;
    window.scrollTo(0, 0);
    startCountdown(faultSeconds);  // shortened once the ticket is printed
    followPrint(ticket);
  }

  // -- touches ----------------------------------------------------------------------------------
  document.addEventListener("pointerdown", () => { lastTouch = Date.now(); }, {passive: true});
  document.addEventListener("contextmenu", (e) => e.preventDefault());  // long press: no menu
  $$("button.group").forEach((b) => b.addEventListener("click", () => {
    if (!busy && Date.now() >= guardUntil) showGroup(b.dataset.group);
  }));
  $$("button.back").forEach((b) => b.addEventListener("click", () => { if (!busy) showGroups(); }));
  $$("button.priority-choice").forEach((b) => b.addEventListener("click", () => {
    if (busy) return;
    const on = b.getAttribute("aria-pressed") !== "true";
    $$("button.priority-choice").forEach((o) => o.setAttribute("aria-pressed", "false"));
    b.setAttribute("aria-pressed", on ? "true" : "false");
  }));
  $$("button.service").forEach((b) => b.addEventListener("click", () => {
    if (!confirmOn) { issue(b); return; }
    if (busy || Date.now() < guardUntil || b.disabled) return;
    showConfirm(b);
  }));
  document.getElementById("confirm-back").addEventListener("click", () => {
    if (!busy && Date.now() >= confirmGuardUntil) leaveConfirm();
  });
  document.getElementById("confirm-take").addEventListener("click", async () => {
    if (busy || !chosen || Date.now() < confirmGuardUntil) return;
    const button = chosen;
    if (!(await issue(button)) && !confirmStep.hidden) {
      const message = error.textContent;
      leaveConfirm();  // refused (closed, quota, offline): back to the list, which shows why
      showError(message);
    }
  });
  document.getElementById("result-done").addEventListener("click", showStart);

  // The page resets itself: an untouched choice goes back to the start, and an untouched start
  // page in another language goes back to the office's language.
  setInterval(() => {
    if (busy || !result.hidden) return;
    const idle = Date.now() - lastTouch > idleSeconds * 1000;
    const pristine = !groups.hidden && confirmStep.hidden && !selectedReason() && error.hidden;
    if (idle && (!pristine || lang !== defaultLang)) showStart();
  }, 1000);
  setInterval(() => { if (!busy && result.hidden) refresh(false); }, refreshSeconds * 1000);

  // The office's time (its zone, not the kiosk PC's), e.g. "08.15" in Indonesian.
  const clock = document.getElementById("kiosk-clock");
  let clockFormat = null;
  try {
    clockFormat = new Intl.DateTimeFormat(lang === "id" ? "id-ID" : "en-GB",
      {hour: "2-digit", minute: "2-digit", hour12: false, timeZone: root.dataset.tz || undefined});
  } catch (e) { clockFormat = null; }
  const tickClock = () => {
    const d = new Date();
    clock.textContent = clockFormat ? clockFormat.format(d) :
      `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  };
  tickClock(); setInterval(tickClock, 5000);

  // -- "Saya sudah booking": the booking code typed on the on-screen keyboard, or scanned ----------
  // A USB barcode scanner types the QR code's text (the code) and Enter, like a keyboard: the keys
  // typed anywhere on the page are gathered, and Enter checks the code in (docs/booking.md).
  const keys = document.getElementById("booking-keys");
  const alphabet = keys.dataset.alphabet, codeLength = +keys.dataset.length;
  const codeOut = document.getElementById("booking-code");
  const submit = document.getElementById("booking-submit");
  let typed = "", scanned = "", scannedAt = 0;
  function showTyped() {
    codeOut.textContent = typed.length > 4 ? `${typed.slice(0, 4)}-${typed.slice(4)}` : typed;
    submit.disabled = typed.length !== codeLength;
  }
  function openBooking() {
    if (busy) return;
    error.hidden = true; services.hidden = true; confirmStep.hidden = true; result.hidden = true;
    bookingStep.hidden = false; typed = ""; showTyped(); lastTouch = Date.now();
  }
  async function checkIn(code) {
    if (busy) return;
    lock(true, null);
    error.hidden = true;
    try {
      const headers = {"Content-Type": "application/json"};
      if (kioskKey) headers["X-Kiosk-Key"] = kioskKey;
      const resp = await fetch(`/api/v1/bookings/${encodeURIComponent(code)}/check-in?lang=${lang}`,
                               {method: "POST", headers: headers, body: JSON.stringify(printer ? {printer: printer} : {})});
      const data = await resp.json().catch(() => ({}));
      if (!resp.ok) {
        if (bookingStep.hidden) openBooking();
        showError(data.error || text.failed);
        typed = ""; showTyped();
        return;
      }
      bookingStep.hidden = true; typed = "";
      showResult(data, data.service_name, null);
    } catch (e) {
      showError(text.offline);
    } finally {
      lock(false, null);
    }
  }
  document.getElementById("booking-open").addEventListener("click", openBooking);
  document.getElementById("booking-back").addEventListener("click", () => { if (!busy) showStart(); });
  keys.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b || busy) return;
    if (b.id === "booking-delete") typed = typed.slice(0, -1);
    else if (b.dataset.key && typed.length < codeLength) typed += b.dataset.key;
    showTyped();
  });
  submit.addEventListener("click", () => { if (typed.length === codeLength) checkIn(typed); });
  document.addEventListener("keydown", (e) => {
    lastTouch = Date.now();
    if (e.key === "Enter") {
      const code = (scanned.length === codeLength ? scanned : typed);
      scanned = "";
      if (code.length === codeLength) { e.preventDefault(); checkIn(code); }
      return;
    }
    if (e.key.length !== 1) return;
    const ch = e.key.toUpperCase();
    if (Date.now() - scannedAt > 1500) scanned = "";  // a pause: a new code begins
    scannedAt = Date.now();
    if (alphabet.includes(ch)) {
      scanned = (scanned + ch).slice(-codeLength);
      if (!bookingStep.hidden && typed.length < codeLength) { typed += ch; showTyped(); }
    }
  });
})();
