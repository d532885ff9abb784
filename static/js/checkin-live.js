// Live counts refresh by themselves: fetch the server-rendered panel and swap it in.
const panel = document.querySelector("[data-live-panel]");

if (panel) {
  const seconds = Number(panel.dataset.interval || 15);
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(panel.dataset.url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.ok) panel.innerHTML = await response.text();
    } catch {
      // Offline for a moment: keep the last numbers.
    }
  };
  setInterval(refresh, seconds * 1000);
}
