// "Local structure" lists only the structures of the chosen carrier organisation. The server
// renders every carrier's structures in its own <optgroup> (usable without JavaScript); this
// keeps the "none" option and the chosen carrier's options, and hides the field where the
// carrier has none. The server checks the pair anyway.
for (const select of document.querySelectorAll("select[data-local-structures]")) {
  const carrier = document.getElementById(select.dataset.localStructures);
  if (!carrier) continue;
  const field = select.closest(".field") || select.parentElement;
  const all = Array.from(select.querySelectorAll("option"), (option) => option.cloneNode(true));

  const show = () => {
    const chosen = select.value;
    const mine = all.filter((option) => option.dataset.carrier === carrier.value);
    const keep = all.filter((option) => !option.dataset.carrier).concat(mine);
    select.replaceChildren(...keep.map((option) => option.cloneNode(true)));
    select.value = keep.some((option) => option.value === chosen) ? chosen : "";
    field.hidden = mine.length === 0;
  };

  carrier.addEventListener("change", show);
  show();
}
