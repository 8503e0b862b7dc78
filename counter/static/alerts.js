// The Kasi's live alerts (counter page and back-office list): refreshed by polling
// /counter/files/alerts every data-refresh seconds. Text only (textContent): no markup from data.
(function () {
  "use strict";
  const box = document.getElementById("late-alerts");
  if (!box) return;
  const list = document.getElementById("late-alert-list");
  const seconds = Math.max(1, parseInt(box.dataset.refresh, 10) || 30);

  function render(alerts) {
    list.replaceChildren(...alerts.map(a => {
      const li = document.createElement("li");
      li.className = "late-" + a.kind;
      li.dataset.ticket = a.number;
      li.textContent = a.text;
      return li;
    }));
    box.hidden = alerts.length === 0;
  }

  function refresh() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(r => (r.ok ? r.json() : null))
      .then(data => { if (data) render(data.alerts || []); })
      .catch(() => {})  // offline for a moment: the next round tries again
      .finally(() => setTimeout(refresh, seconds * 1000));
  }
  setTimeout(refresh, seconds * 1000);
})();
