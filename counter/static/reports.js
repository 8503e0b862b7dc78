// Report charts (Chart.js from npm, served locally).
(function () {
  const print = document.getElementById("print-page");
  if (print) print.addEventListener("click", () => window.print());
  const data = JSON.parse(document.getElementById("report-data").textContent);
  if (typeof Chart === "undefined") return;
  const labels = data.steps.labels;  // names, not codes: "Surat Keterangan Ahli Waris, langkah 3"
  new Chart(document.getElementById("chart-steps"), {
    type: "bar",
    data: {labels: labels, datasets: [
      {label: data.label_median, data: data.steps.median, backgroundColor: "#0b5394"},
      {label: data.label_standard, data: data.steps.standard, backgroundColor: "#ffd166"},
    ]},
    options: {animation: false, responsive: true, plugins: {legend: {position: "bottom"}}},
  });
  new Chart(document.getElementById("chart-hours"), {
    type: "bar",
    data: {labels: data.hours.map(h => String(h.hour).padStart(2, "0") + ".00"),
           datasets: [{label: data.label_tickets, data: data.hours.map(h => h.tickets), backgroundColor: "#1b7f3b"}]},
    options: {animation: false, responsive: true, plugins: {legend: {display: false}}},
  });
  document.body.dataset.charts = "ready";
})();
