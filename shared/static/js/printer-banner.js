// The printer-fault banner of staff pages (counter/templates/printing/_banner.html): asks the print
// status on load and again after every `printer` event on the /counter Socket.IO namespace.
(function () {
  const banner = document.getElementById("printer-banner");
  if (!banner) return;
  const text = document.getElementById("printer-banner-text");
  async function check() {
    try {
      const resp = await fetch(banner.dataset.url, {cache: "no-store"});
      if (!resp.ok) return;
      const state = await resp.json();
      text.textContent = state.faults.join(" · ");
      banner.hidden = !state.fault;
    } catch (e) { /* keep what is shown */ }
  }
  window.addEventListener("load", () => {  // after the page's scripts (socket.io) have loaded
    check();
    if (typeof io !== "undefined") io("/counter", {transports: ["websocket", "polling"]}).on("printer", check);
  });
})();
