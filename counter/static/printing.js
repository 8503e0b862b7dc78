// The print-queue page: redraw on every print event (a fault or a printed ticket).
(function () {
  if (typeof io === "undefined") return;
  const socket = io("/counter", {transports: ["websocket", "polling"]});
  let timer = null;
  socket.on("printer", () => { clearTimeout(timer); timer = setTimeout(() => location.reload(), 500); });
})();
