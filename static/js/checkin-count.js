// The scanner page's running count of its checkpoint (all doors): fetched after every answer
// the page shows and every 15 seconds. Without JavaScript the count comes with each page.
const box = document.querySelector("[data-checkpoint-count]");

if (box) {
  const number = box.querySelector("[data-count]");
  let pending = null;
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(box.dataset.url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) number.textContent = String((await response.json()).count);
    } catch {
      // Offline: keep the last number; the scans wait in the queue.
    }
  };
  // A new answer on screen (scanner.js shows it in [data-result]): the count may have moved.
  const result = document.querySelector("[data-result]");
  if (result) {
    new MutationObserver(() => {
      clearTimeout(pending);
      pending = setTimeout(refresh, 300);
    }).observe(result, { attributes: true, attributeFilter: ["class"], childList: true, subtree: true });
  }
  setInterval(refresh, 15000);
}
