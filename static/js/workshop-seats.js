// Keeps the free seats of first-come workshops current while the attendee's page is open.
// The page works without it: every action reloads the page with fresh numbers anyway.
const DEFAULT_INTERVAL = 15000;

async function refresh(list) {
  try {
    const response = await fetch(list.dataset.seatsUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const { seats } = await response.json();
    for (const element of list.querySelectorAll("[data-free-seats]")) {
      const entry = seats[element.dataset.freeSeats];
      if (entry && element.textContent !== entry.text) element.textContent = entry.text;
    }
  } catch {
    // Offline or server busy: keep the last numbers and try again later.
  }
}

for (const list of document.querySelectorAll("[data-seats-url]")) {
  const interval = Number(list.dataset.seatsInterval) || DEFAULT_INTERVAL;
  window.setInterval(() => {
    if (!document.hidden) refresh(list);
  }, interval);
}
