// Agenda builder: drag blocks to move them, drag the lower edge to resize, drag over empty
// cells to create a session. Every drop is saved at once; the server decides and a refused
// change snaps back with its reason. Without JavaScript the "Edit" links do the same.
const grid = document.querySelector("[data-agenda-grid]");
const statusLine = document.querySelector("[data-builder-status]");
const DRAG_THRESHOLD = 4;

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function say(message, isError) {
  if (!statusLine) return;
  statusLine.textContent = message;
  statusLine.classList.toggle("is-error", Boolean(isError));
}

function cellAt(x, y) {
  return document.elementsFromPoint(x, y).find((el) => el.matches("[data-cell]")) || null;
}

function addMinutes(clock, minutes) {
  const [h, m] = clock.split(":").map(Number);
  const total = Math.min(h * 60 + m + minutes, 24 * 60 - 1);
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

function setGridClasses(block, state) {
  for (const name of [...block.classList]) {
    if (/^(gc-|gr-s|gr-e)\d+$/.test(name)) block.classList.remove(name);
  }
  block.classList.add(`gc-${state.column}`, `gr-s${state.row_start}`, `gr-e${state.row_end}`);
  const rows = state.row_end - state.row_start;
  block.classList.toggle("is-compact", rows < 2);
  block.classList.toggle("is-short", rows === 2);
  block.dataset.start = state.start;
  const time = block.querySelector("[data-block-time]");
  if (time) time.textContent = `${state.start}–${state.end}`;
}

function showConflicts(conflicts) {
  const hardList = document.querySelector("[data-conflicts-hard]");
  const softList = document.querySelector("[data-conflicts-soft]");
  const none = document.querySelector("[data-conflicts-none]");
  if (!hardList || !softList) return;
  for (const [list, items, cls] of [
    [hardList, conflicts.hard, "conflict-hard"],
    [softList, conflicts.soft, "conflict-soft"],
  ]) {
    list.replaceChildren(
      ...items.map((item) => {
        const li = document.createElement("li");
        li.className = cls;
        li.textContent = item.message;
        return li;
      }),
    );
  }
  if (none) none.hidden = conflicts.hard.length + conflicts.soft.length > 0;
}

function resetBlock(block) {
  block.style.transform = "";
  block.style.height = "";
  block.classList.remove("is-dragging");
}

async function save(block, body) {
  block.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(block.dataset.placeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    resetBlock(block);
    if (!response.ok) {
      block.classList.add("is-refused");
      block.dataset.refused = "true";
      say(data.message || grid.dataset.msgFailed, true);
      return;
    }
    block.classList.remove("is-refused");
    delete block.dataset.refused;
    setGridClasses(block, data.session);
    showConflicts(data.conflicts);
    say(`${grid.dataset.msgSaved} ${data.session.title}: ${data.session.start}–${data.session.end}`);
  } catch (error) {
    resetBlock(block);
    block.classList.add("is-refused");
    say(grid.dataset.msgFailed, true);
  } finally {
    block.removeAttribute("aria-busy");
  }
}

function dragBlock(event, block, mode) {
  const rect = block.getBoundingClientRect();
  const startX = event.clientX;
  const startY = event.clientY;
  const grabY = event.clientY - rect.top;
  let moved = false;
  block.setPointerCapture(event.pointerId);

  function onMove(e) {
    const dx = e.clientX - startX;
    const dy = e.clientY - startY;
    if (!moved && Math.abs(dx) + Math.abs(dy) < DRAG_THRESHOLD) return;
    moved = true;
    block.classList.add("is-dragging");
    if (mode === "move") block.style.transform = `translate(${dx}px, ${dy}px)`;
    else block.style.height = `${Math.max(10, rect.height + dy)}px`;
  }

  function onUp(e) {
    block.removeEventListener("pointermove", onMove);
    block.removeEventListener("pointerup", onUp);
    block.removeEventListener("pointercancel", onUp);
    if (!moved) return resetBlock(block);
    const day = grid.dataset.day;
    if (mode === "move") {
      block.style.visibility = "hidden";
      const cell = cellAt(e.clientX, e.clientY - grabY + 4);
      block.style.visibility = "";
      if (!cell) {
        resetBlock(block);
        return say(grid.dataset.msgOutside, true);
      }
      const roomId = cell.dataset.roomId ? Number(cell.dataset.roomId) : null;
      save(block, { day, start: cell.dataset.time, room_id: roomId });
    } else {
      const bottom = rect.bottom + (e.clientY - startY) - 3;
      block.style.visibility = "hidden";
      const cell = cellAt(rect.left + rect.width / 2, bottom);
      block.style.visibility = "";
      if (!cell) {
        resetBlock(block);
        return say(grid.dataset.msgOutside, true);
      }
      save(block, { day, start: block.dataset.start, end: addMinutes(cell.dataset.time, 15) });
    }
  }

  block.addEventListener("pointermove", onMove);
  block.addEventListener("pointerup", onUp);
  block.addEventListener("pointercancel", onUp);
}

function dragCreate(event, firstCell) {
  const column = firstCell.dataset.roomId;
  let last = firstCell;
  const marked = new Set([firstCell]);
  firstCell.classList.add("is-selecting");
  grid.setPointerCapture(event.pointerId);

  function onMove(e) {
    const cell = cellAt(e.clientX, e.clientY);
    if (!cell || cell.dataset.roomId !== column) return;
    last = cell;
    for (const c of marked) c.classList.remove("is-selecting");
    marked.clear();
    const [from, to] = [firstCell.dataset.time, last.dataset.time].sort();
    for (const c of grid.querySelectorAll(`[data-cell][data-room-id="${column}"]`)) {
      if (c.dataset.time >= from && c.dataset.time <= to) {
        c.classList.add("is-selecting");
        marked.add(c);
      }
    }
  }

  function onUp() {
    grid.removeEventListener("pointermove", onMove);
    grid.removeEventListener("pointerup", onUp);
    for (const c of marked) c.classList.remove("is-selecting");
    if (last === firstCell) return;
    const [from, to] = [firstCell.dataset.time, last.dataset.time].sort();
    const params = new URLSearchParams({ day: grid.dataset.day, start: from, end: addMinutes(to, 15) });
    if (column) params.set("room_id", column);
    window.location.assign(`${grid.dataset.newUrl}?${params}`);
  }

  grid.addEventListener("pointermove", onMove);
  grid.addEventListener("pointerup", onUp);
}

if (grid) {
  grid.dataset.enhanced = "true";
  grid.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || event.target.closest("a")) return;
    const block = event.target.closest("[data-block]");
    if (block) {
      if (block.classList.contains("status-cancelled")) return;
      event.preventDefault();
      dragBlock(event, block, event.target.closest("[data-resize]") ? "resize" : "move");
      return;
    }
    const cell = event.target.closest("[data-cell]");
    if (cell) {
      event.preventDefault();
      dragCreate(event, cell);
    }
  });
}
