// Copy buttons for feed links: shown only when the Clipboard API exists; the field stays copyable.
for (const button of document.querySelectorAll("[data-feed-copy]")) {
  const input = document.getElementById(button.dataset.feedCopy);
  const status = button.parentElement.querySelector("[data-feed-copied]");
  if (!input || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      if (status) status.textContent = status.dataset.feedCopied;
    } catch {
      input.select();
    }
  });
}
for (const input of document.querySelectorAll("[data-feed-url]")) {
  input.addEventListener("focus", () => input.select());
}
