// Counter screen: queue counts and ticket changes arrive live; the page refreshes itself when
// the clerk is not typing in a form.
(function () {
  const socket = io("/counter", {transports: ["websocket", "polling"]});
  let pending = false;
  function busy() {
    const a = document.activeElement;
    return a && (a.tagName === "INPUT" || a.tagName === "SELECT" || a.tagName === "TEXTAREA");
  }
  function refreshSoon() {
    if (pending) return;
    pending = true;
    const tryReload = () => busy() ? setTimeout(tryReload, 2000) : location.reload();
    setTimeout(tryReload, 500);
  }
  socket.on("queue", counts => {
    Object.keys(counts).forEach(g => {
      const el = document.querySelector(`.count[data-group="${g}"] b`);
      if (el) el.textContent = counts[g];
    });
  });
  socket.on("ticket", refreshSoon);
  socket.on("printer", p => {
    if (p.status !== "printed") refreshSoon();
  });
})();
