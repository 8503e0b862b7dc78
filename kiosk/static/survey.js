// The survey pages (kiosk/templates/survey/): an untouched page goes back to the start in the office's
// language, as the kiosk does, so the next person never finds someone else's half-filled answers.
// The last 15 seconds are announced; a touch anywhere keeps the page. The language switch keeps the
// page's other settings (?idle=).
(function () {
  "use strict";
  const root = document.getElementById("survey");
  if (!root) return;
  const text = JSON.parse(document.getElementById("survey-text").textContent);
  const idleSeconds = +root.dataset.idleSeconds || 90;
  const defaultLang = root.dataset.defaultLang || "id";
  const notice = document.getElementById("survey-idle");
  const warnSeconds = Math.min(15, Math.max(1, Math.floor(idleSeconds / 3)));
  let lastTouch = Date.now();

  function withLang(code) {
    const q = new URLSearchParams(location.search);
    q.set("lang", code);
    return `?${q.toString()}`;
  }
  document.querySelectorAll(".survey-lang a[data-lang]").forEach((a) => { a.href = withLang(a.dataset.lang); });

  function startUrl() {
    const q = new URLSearchParams(location.search);
    const keep = new URLSearchParams();
    if (q.get("idle")) keep.set("idle", q.get("idle"));
    keep.set("lang", defaultLang);
    return `${root.dataset.startUrl}?${keep.toString()}`;
  }

  const touched = () => { lastTouch = Date.now(); notice.hidden = true; };
  ["pointerdown", "keydown", "input", "scroll"].forEach((e) => document.addEventListener(e, touched, {passive: true}));

  setInterval(() => {
    const left = Math.ceil((lastTouch + idleSeconds * 1000 - Date.now()) / 1000);
    if (left <= 0) { location.replace(startUrl()); return; }
    if (left <= warnSeconds && root.dataset.page !== "thanks") {
      notice.textContent = text.idle.replace("{s}", left);
      notice.hidden = false;
    }
  }, 500);
})();
