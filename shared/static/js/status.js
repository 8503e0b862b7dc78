// Public ticket status: follows one ticket over Socket.IO and refreshes on every change.
(function () {
  const root = document.getElementById("status");
  const text = JSON.parse(document.getElementById("status-text").textContent);
  const publicId = root.dataset.publicId;
  const socket = io("/ticket", {transports: ["websocket", "polling"]});
  function render(t) {
    if (!t || t.error) return;
    const st = document.getElementById("st-status");
    st.dataset.status = t.status; st.textContent = text[t.status] || t.status;
    document.getElementById("st-position").textContent = t.position;
    document.getElementById("st-wait").textContent = t.estimated_wait_minutes;
    document.getElementById("st-step").textContent = t.current_step ?
      t.current_step.number + "/" + t.steps_total + " · " + t.current_step.activity : "-";
    document.getElementById("st-loket").textContent = t.loket || "-";
  }
  function follow() { socket.emit("follow", {public_id: publicId}, render); }
  socket.on("connect", follow);
  socket.on("refresh", follow);
  render({status: document.getElementById("st-status").dataset.status,
          position: document.getElementById("st-position").textContent,
          estimated_wait_minutes: document.getElementById("st-wait").textContent,
          current_step: null, steps_total: 0, loket: document.getElementById("st-loket").textContent});
})();
