// Kiosk: tap a service, get a ticket. One request at a time (a double tap issues one ticket).
(function () {
  const root = document.getElementById("kiosk");
  const text = JSON.parse(document.getElementById("kiosk-text").textContent);
  const lang = root.dataset.lang || "id";
  const services = document.getElementById("step-services");
  const result = document.getElementById("step-result");
  const error = document.getElementById("kiosk-error");
  let busy = false, resetTimer = null;

  function fmt(s, vals) { return s.replace(/\{(\w+)\}/g, (_, k) => vals[k]); }
  function showStart() {
    clearTimeout(resetTimer);
    result.hidden = true; services.hidden = false; error.hidden = true;
  }
  async function issue(button) {
    if (busy) return;
    busy = true;
    document.querySelectorAll("button.service").forEach(b => b.disabled = true);
    error.hidden = true;
    try {
      const resp = await fetch("/api/v1/tickets", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({service: button.dataset.service, priority: false, lang: lang}),
      });
      const body = await resp.json();
      if (!resp.ok) throw new Error(body.error || resp.status);
      document.getElementById("result-number").textContent = body.number;
      document.getElementById("result-service").textContent = button.dataset.name;
      document.getElementById("result-ahead").textContent = fmt(text.ahead, {n: body.position, m: body.estimated_wait_minutes});
      document.getElementById("result-qr").src = "/kiosk/qr/" + body.public_id + ".svg";
      services.hidden = true; result.hidden = false;
      resetTimer = setTimeout(showStart, 15000);
    } catch (e) {
      error.textContent = text.failed; error.hidden = false;
    } finally {
      busy = false;
      document.querySelectorAll("button.service").forEach(b => b.disabled = false);
    }
  }
  document.querySelectorAll("button.service").forEach(b => b.addEventListener("click", () => issue(b)));
  document.getElementById("result-done").addEventListener("click", showStart);
})();
