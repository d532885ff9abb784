// Conditional questions: a question that depends on another one's answer is shown only while
// that answer is chosen; hidden, its fields are disabled and so not sent. The server decides
// again on every submit (an answer to a hidden question is dropped), so without JavaScript
// every question is shown with a hint saying when it applies.
function chosen(form, name) {
  const values = [];
  for (const input of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
    if (input.disabled) continue;
    if (input.tagName === "SELECT") {
      for (const option of input.selectedOptions) values.push(option.value);
    } else if (input.type === "radio" || input.type === "checkbox") {
      if (input.checked) values.push(input.value);
    } else {
      values.push(input.value);
    }
  }
  return values;
}

for (const form of document.querySelectorAll("form")) {
  const dependents = Array.from(form.querySelectorAll("[data-condition-field]"));
  if (!dependents.length) continue;
  const update = () => {
    // A condition may depend on another condition; repeat until nothing changes.
    for (let pass = 0; pass <= dependents.length; pass += 1) {
      let changed = false;
      for (const wrapper of dependents) {
        const show = chosen(form, wrapper.dataset.conditionField).includes(
          wrapper.dataset.conditionValue,
        );
        if (wrapper.hidden === show) {
          wrapper.hidden = !show;
          for (const input of wrapper.querySelectorAll("input, select, textarea")) {
            input.disabled = !show;
          }
          changed = true;
        }
      }
      if (!changed) break;
    }
  };
  form.addEventListener("change", update);
  update();
}
