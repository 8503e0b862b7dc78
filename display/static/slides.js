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
    for (const id of ["slide-body", "slide-foot"]) document.getElementById(id).hidden = false;
    panel.style.visibility = "";
    fit();
    panel.dataset.slide = String(i);
  }
  // A small TV (1280x720) leaves the panel a few lines: rather than a line cut in half at the bottom,
  // drop the last components, then end the last text at a whole word with "..." (the whole text is
  // on the information site); the title and the foot (who signed, which standard) stay.
  function fits() { return panel.scrollHeight <= panel.clientHeight + 1; }
  function fit() {
    const body = document.getElementById("slide-body");
    const foot = document.getElementById("slide-foot");
    while (!fits() && body.querySelectorAll("dd").length > 1) {
      body.lastElementChild.remove();  // a component's text (dd) ...
      if (body.lastElementChild && body.lastElementChild.tagName === "DT") body.lastElementChild.remove();  // ... and its label
    }
    const last = body.lastElementChild;
    if (fits() || !last) return;
    const text = last.textContent;
    // squeezed further (a long list of documents ready): the foot goes before the text is cut to nothing,
    // then the text; a panel without even room for its title is left empty
    if (!shorten(last, text)) { foot.hidden = true; if (!shorten(last, text)) body.hidden = true; }
    if (!fits()) panel.style.visibility = "hidden";
  }
  // End ``el``'s text at the last whole word that fits, with "..."; false when not one word fits.
  function shorten(el, text) {
    const parts = text.split(/(\s+)/);  // words and the spaces (and line breaks) between them
    let lo = 0, hi = parts.length;
    while (lo < hi) {  // the most words that still fit
      const mid = Math.ceil((lo + hi) / 2);
      el.textContent = parts.slice(0, mid).join("").trimEnd() + " ...";
      if (fits()) lo = mid; else hi = mid - 1;
    }
    el.textContent = parts.slice(0, lo).join("").trimEnd() + " ...";
    return lo > 0 && fits();
  }
  if (!slides.length) { panel.hidden = true; return; }
  show(0);
  // the panel changes size when the lists above it grow or the running text appears: fit the slide again
  if (window.ResizeObserver) {
    let height = panel.clientHeight;
    new ResizeObserver(() => {
      if (panel.clientHeight !== height) { height = panel.clientHeight; show(index); }
    }).observe(panel);
  }
  setInterval(() => { index = (index + 1) % slides.length; show(index); }, seconds * 1000);
})();
