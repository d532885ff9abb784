// A mailing's page: queued / sent / failed refresh by themselves every few seconds until
// nothing is left to do. Without JavaScript the page shows the numbers of its last load and
// a link to reload it.
const box = document.querySelector("[data-mailing-status]");

if (box) {
  const auto = box.querySelector("[data-auto]");
  const preparing = box.querySelector("[data-preparing]");
  if (auto) auto.hidden = false;
  let timer = null;
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(box.dataset.mailingStatus, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const counts = await response.json();
      for (const name of ["recipients", "queued", "sent", "failed"]) {
        const cell = box.querySelector(`[data-count="${name}"]`);
        if (cell) cell.textContent = counts[name].toLocaleString(document.documentElement.lang);
      }
      if (preparing) preparing.hidden = !counts.preparing;
      if (!counts.preparing && counts.queued === 0) clearInterval(timer);
    } catch {
      // Offline for a moment: keep the last numbers, try again at the next tick.
    }
  };
  timer = setInterval(refresh, 3000);
}
