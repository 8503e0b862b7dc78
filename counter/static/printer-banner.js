// The printer-fault banner of staff pages (counter/templates/printing/_banner.html): asks the print
// status on load, after a `printer` event on the /counter Socket.IO namespace that reports a
// fault, and after a printed ticket while a fault is shown (it may be over). A ticket printed
// while all is well asks nothing: every staff screen hears every printed ticket.
(function () {
  if (!document.getElementById("printer-banner")) return;
  async function check() {
    const banner = document.getElementById("printer-banner");  // the counter page may swap it in
    try {
      const resp = await fetch(banner.dataset.url, {cache: "no-store", headers: {"X-Antrean-Background": "1"}});
      if (!resp.ok) return;
      const state = await resp.json();
      document.getElementById("printer-banner-text").textContent = state.faults.join(" · ");
      banner.hidden = !state.fault;
    } catch (e) { /* keep what is shown */ }
  }
  window.addEventListener("load", () => {  // after the page's scripts (socket.io) have loaded
    check();
    if (typeof io === "undefined") return;
    // the counter page's own socket when it has one (counter.js), else one of its own
    const socket = window.antreanCounterSocket || io("/counter", {transports: ["websocket", "polling"]});
    socket.on("printer", p => {
      if (p.status !== "printed" || !document.getElementById("printer-banner").hidden) check();
    });
  });
})();
