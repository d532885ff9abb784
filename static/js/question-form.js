// The organisers' question form: show only the parts that belong to the chosen type (the
// answer rows for choice questions, the range for numbers). Without JavaScript every part is
// shown with a hint saying which type it is for, and the server ignores the others.
const kind = document.querySelector("[data-question-kind]");

function update() {
  for (const part of document.querySelectorAll("[data-for-kinds]")) {
    part.hidden = !part.dataset.forKinds.split(" ").includes(kind.value);
  }
}

if (kind) {
  kind.addEventListener("change", update);
  update();
}
