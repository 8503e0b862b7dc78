// The TV's information slides: the Maklumat and each service's Standar Pelayanan, one after the other
// every data-seconds, in their own panel. Nothing here touches the call panel, the socket or the audio:
// a call is shown by display.js the moment it arrives, whatever slide is up.
(function () {
  "use strict";
  const panel = document.getElementById("slides");
  const data = document.getElementById("display-slides");
  if (!panel || !data) return;
  const slides = JSON.parse(data.textContent);
  const seconds = Math.max(2, parseInt(panel.dataset.seconds, 10) || 15);
  let index = 0;
  function show(i) {
    const s = slides[i];
    document.getElementById("slide-title").textContent = s.title;
    document.getElementById("slide-body").replaceChildren(...s.items.flatMap((item) => {
      const out = [];
      if (item.label) { const dt = document.createElement("dt"); dt.textContent = item.label; out.push(dt); }
      const dd = document.createElement("dd"); dd.textContent = item.text; out.push(dd);
      return out;
    }));
    document.getElementById("slide-foot").textContent = s.foot || "";
    panel.dataset.slide = String(i);
  }
  if (!slides.length) { panel.hidden = true; return; }
  show(0);
  setInterval(() => { index = (index + 1) % slides.length; show(index); }, seconds * 1000);
})();
